using Cascade.Ml.Evaluation;
using System.Text.Json;
using Google.Protobuf;
using Onnx;

namespace Cascade.Ml.Export;

/// <summary>
/// Writes a tree ensemble as an ONNX model: an <c>ai.onnx.ml</c> TreeEnsembleRegressor node (operator set 3, which
/// ONNX Runtime 1.32 runs) computes the margins [N, outputs] from the float input <c>features</c> [N, features], then a
/// standard Sigmoid (<c>binary:logistic</c>) or Softmax over axis 1 (<c>multi:softprob</c>) turns them into the float
/// output <c>predictions</c> [N, outputs], holding what <c>cascade predict</c> writes: the probability of class 1,
/// the class probabilities, or (<c>reg:squarederror</c>, no transform node) the value.
/// </summary>
/// <remarks>
/// The regressor rather than TreeEnsembleClassifier for every objective: its targets are exactly XGBoost's output
/// groups and its base_values XGBoost's base margin, and its output is one float tensor (a classifier's comes with a
/// label output first and, for two classes, a second probability column). The transform is a node of its own because
/// ONNX Runtime's regressor ignores post_transform LOGISTIC for a single target. Splits are BRANCH_LT on float
/// thresholds, as XGBoost compares; a missing value follows <c>nodes_missing_value_tracks_true</c>, set where
/// XGBoost's default child is the left (true) one. ONNX Runtime adds the base margin after the leaves and rounds the
/// transform its own way, so results agree with the evaluator to about 1e-7, not bit for bit. The model is built from
/// OnnxSharp's types generated from onnx.proto and serialized by Google.Protobuf, so field numbers and encoding are
/// the schema's own rather than ours to keep right.
/// </remarks>
public static class OnnxModelWriter
{
    public const string InputName = "features";
    public const string OutputName = "predictions";

    /// <summary>The <c>ai.onnx.ml</c> operator set of TreeEnsembleRegressor with float attributes; later sets deprecate it for TreeEnsemble.</summary>
    public const int MlOperatorSet = 3;

    /// <summary>ONNX IR version 8 (ONNX 1.11+), the one that introduced <c>ai.onnx.ml</c> operator set 3.</summary>
    internal const long IrVersion = 8;

    /// <summary>The default domain's operator set: Sigmoid and Softmax over one axis (13+).</summary>
    internal const long DefaultOperatorSet = 15;

    private const string MlDomain = "ai.onnx.ml";

    /// <param name="ensemble">The model.</param>
    /// <param name="metadata">Key/value pairs stored in the model's metadata_props (objective, feature names, origin).</param>
    public static byte[] Write(TreeEnsemble ensemble, IReadOnlyDictionary<string, string> metadata)
    {
        var transform = ensemble.Transform switch
        {
            OutputTransform.Logistic => "Sigmoid",
            OutputTransform.Softmax => "Softmax",
            _ => null,
        };
        var margins = transform is null ? OutputName : "margins";
        var graph = new GraphProto { Name = "cascade_model" };
        var trees = new NodeProto { Name = "trees", OpType = "TreeEnsembleRegressor", Domain = MlDomain };
        trees.Input.Add(InputName);
        trees.Output.Add(margins);
        trees.Attribute.AddRange(TreeAttributes(ensemble));
        graph.Node.Add(trees);
        if (transform is not null)
        {
            var node = new NodeProto { Name = "transform", OpType = transform };
            node.Input.Add(margins);
            node.Output.Add(OutputName);
            if (transform == "Softmax") node.Attribute.Add(IntAttribute("axis", 1));
            graph.Node.Add(node);
        }
        graph.Input.Add(FloatMatrix(InputName, ensemble.FeatureCount));
        graph.Output.Add(FloatMatrix(OutputName, ensemble.OutputCount));

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "cascade",
            ProducerVersion = typeof(OnnxModelWriter).Assembly.GetName().Version?.ToString() ?? "0",
            DocString = $"XGBoost {ensemble.Objective}, {ensemble.Trees.Count} trees, exported by cascade export --format onnx.",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Version = DefaultOperatorSet });
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = MlDomain, Version = MlOperatorSet });
        foreach (var (key, value) in metadata)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }
        return model.ToByteArray();
    }

    /// <summary>The metadata an export records: what the model is and which feature each input column is.</summary>
    public static Dictionary<string, string> Metadata(TreeEnsemble ensemble, IReadOnlyList<string> featureNames, string origin) => new()
    {
        ["cascade.objective"] = ensemble.Objective,
        ["cascade.feature_names"] = JsonSerializer.Serialize(featureNames),
        ["cascade.origin"] = origin,
    };

    private static List<AttributeProto> TreeAttributes(TreeEnsemble ensemble)
    {
        var treeIds = new List<long>();
        var nodeIds = new List<long>();
        var featureIds = new List<long>();
        var modes = new List<string>();
        var values = new List<float>();
        var trueIds = new List<long>();
        var falseIds = new List<long>();
        var missingTracksTrue = new List<long>();
        var targetTreeIds = new List<long>();
        var targetNodeIds = new List<long>();
        var targetIds = new List<long>();
        var targetWeights = new List<float>();
        for (var t = 0; t < ensemble.Trees.Count; t++)
        {
            var tree = ensemble.Trees[t];
            // Nodes renumbered in pre-order from the root: only nodes a row can reach are written, numbered densely.
            var order = PreOrder(tree.Nodes);
            var number = new Dictionary<int, int>(order.Count);
            for (var i = 0; i < order.Count; i++) number[order[i]] = i;
            foreach (var id in order)
            {
                var node = tree.Nodes[id];
                treeIds.Add(t);
                nodeIds.Add(number[id]);
                if (node.IsLeaf)
                {
                    featureIds.Add(0);
                    modes.Add("LEAF");
                    values.Add(0f);
                    trueIds.Add(0);
                    falseIds.Add(0);
                    missingTracksTrue.Add(0);
                    targetTreeIds.Add(t);
                    targetNodeIds.Add(number[id]);
                    targetIds.Add(tree.Group);
                    targetWeights.Add(node.Value);
                }
                else
                {
                    featureIds.Add(node.Feature);
                    modes.Add("BRANCH_LT");
                    values.Add(node.Value);
                    trueIds.Add(number[node.Left]);
                    falseIds.Add(number[node.Right]);
                    missingTracksTrue.Add(node.DefaultLeft ? 1 : 0);
                }
            }
        }
        return
        [
            StringAttribute("aggregate_function", "SUM"),
            FloatsAttribute("base_values", Enumerable.Repeat(ensemble.BaseMargin, ensemble.OutputCount)),
            IntAttribute("n_targets", ensemble.OutputCount),
            IntsAttribute("nodes_falsenodeids", falseIds),
            IntsAttribute("nodes_featureids", featureIds),
            IntsAttribute("nodes_missing_value_tracks_true", missingTracksTrue),
            StringsAttribute("nodes_modes", modes),
            IntsAttribute("nodes_nodeids", nodeIds),
            IntsAttribute("nodes_treeids", treeIds),
            IntsAttribute("nodes_truenodeids", trueIds),
            FloatsAttribute("nodes_values", values),
            StringAttribute("post_transform", "NONE"),
            IntsAttribute("target_ids", targetIds),
            IntsAttribute("target_nodeids", targetNodeIds),
            IntsAttribute("target_treeids", targetTreeIds),
            FloatsAttribute("target_weights", targetWeights),
        ];
    }

    private static List<int> PreOrder(IReadOnlyList<SplitNode> nodes)
    {
        var order = new List<int>();
        var pending = new Stack<int>([0]);
        while (pending.TryPop(out var id))
        {
            order.Add(id);
            if (!nodes[id].IsLeaf)
            {
                pending.Push(nodes[id].Right);
                pending.Push(nodes[id].Left);
            }
        }
        return order;
    }

    /// <summary>A float tensor [N, <paramref name="width"/>], N symbolic so that any number of rows can be scored.</summary>
    internal static ValueInfoProto FloatMatrix(string name, int width)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = width });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape },
            },
        };
    }

    private static AttributeProto StringAttribute(string name, string value) => new()
    {
        Name = name,
        Type = AttributeProto.Types.AttributeType.String,
        S = ByteString.CopyFromUtf8(value),
    };

    internal static AttributeProto IntAttribute(string name, long value) => new()
    {
        Name = name,
        Type = AttributeProto.Types.AttributeType.Int,
        I = value,
    };

    private static AttributeProto FloatsAttribute(string name, IEnumerable<float> values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        attribute.Floats.AddRange(values);
        return attribute;
    }

    private static AttributeProto IntsAttribute(string name, IEnumerable<long> values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static AttributeProto StringsAttribute(string name, IEnumerable<string> values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        attribute.Strings.AddRange(values.Select(ByteString.CopyFromUtf8));
        return attribute;
    }
}
