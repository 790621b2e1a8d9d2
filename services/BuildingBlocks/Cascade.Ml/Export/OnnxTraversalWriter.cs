using Google.Protobuf;
using Onnx;

namespace Cascade.Ml.Export;

/// <summary>
/// Writes a tree ensemble as an ONNX graph of standard <c>ai.onnx</c> operators that walks every tree one level per
/// step (Gather, GatherElements, Less, IsNaN, Where) and sums the leaves with a MatMul: a graph ONNX Runtime's CUDA
/// provider runs whole on the GPU. Same input (<c>features</c> [N, features]) and output (<c>predictions</c>
/// [N, outputs]) as <see cref="OnnxModelWriter"/>'s export, which stays the portable one.
/// </summary>
/// <remarks>
/// Why a second form: ONNX Runtime implements the <c>ai.onnx.ml</c> operators (TreeEnsembleRegressor among them) on its
/// CPU provider only, so under the CUDA provider the portable export's trees would still run on the CPU, with copies
/// to and from the GPU around them. Here every node of every tree has a global id, and tables indexed by it hold its
/// split feature, threshold and its left, right and missing-value child; a leaf is its own child, so after as many
/// steps as the deepest tree has levels each row stands on one leaf of every tree. The first step reads the roots'
/// columns with a Gather on axis 1, so the [N, trees] node ids never need a shape computed at run time (ONNX Runtime
/// keeps shape computations on the CPU). Splits compare float32 with <c>&lt;</c> and send NaN to the default child, as
/// the evaluator does, so every row reaches the evaluator's leaves; the leaves are then summed in a matrix product's
/// order rather than tree order, so outputs agree with the evaluator to about 1e-6 relative, not bit for bit.
/// Memory per run is a few [N, trees] tensors: for large ensembles, score in batches.
/// </remarks>
public static class OnnxTraversalWriter
{
    /// <summary>The metadata key that tells this form from the portable export.</summary>
    public const string GraphKey = "cascade.graph";

    /// <summary>The value of <see cref="GraphKey"/> for this form.</summary>
    public const string GraphValue = "tree-traversal";

    /// <param name="ensemble">The model.</param>
    /// <param name="metadata">Key/value pairs stored in the model's metadata_props (as <see cref="OnnxModelWriter.Metadata"/> makes them).</param>
    public static byte[] Write(TreeEnsemble ensemble, IReadOnlyDictionary<string, string> metadata)
    {
        var tables = NodeTables.Of(ensemble);
        var graph = new GraphProto { Name = "cascade_model_traversal" };
        graph.Initializer.Add(Int64Tensor("node_feature", tables.Feature));
        graph.Initializer.Add(FloatTensor("node_threshold", tables.Threshold, [tables.Feature.Length]));
        graph.Initializer.Add(Int64Tensor("node_left", tables.Left));
        graph.Initializer.Add(Int64Tensor("node_right", tables.Right));
        graph.Initializer.Add(Int64Tensor("node_missing", tables.Missing));
        graph.Initializer.Add(FloatTensor("leaf_value", tables.LeafValue, [tables.Feature.Length]));
        var roots = tables.Roots;
        graph.Initializer.Add(Int64Tensor("root_feature", roots.Select(r => tables.Feature[r]).ToArray()));
        graph.Initializer.Add(FloatTensor("root_threshold", roots.Select(r => tables.Threshold[r]).ToArray(), [roots.Length]));
        graph.Initializer.Add(Int64Tensor("root_left", roots.Select(r => tables.Left[r]).ToArray()));
        graph.Initializer.Add(Int64Tensor("root_right", roots.Select(r => tables.Right[r]).ToArray()));
        graph.Initializer.Add(Int64Tensor("root_missing", roots.Select(r => tables.Missing[r]).ToArray()));
        graph.Initializer.Add(FloatTensor("tree_outputs", TreeOutputs(ensemble), [ensemble.Trees.Count, ensemble.OutputCount]));
        graph.Initializer.Add(FloatTensor("base_margins", Enumerable.Repeat(ensemble.BaseMargin, ensemble.OutputCount).ToArray(), [ensemble.OutputCount]));

        // Step 0, from the roots' own tables: [N, features] → the children's ids [N, trees].
        Node(graph, "Gather", ["features", "root_feature"], "x_0", OnnxModelWriter.IntAttribute("axis", 1));
        var node = Choose(graph, 0, "x_0", "root_threshold", "root_left", "root_right", "root_missing");
        for (var step = 1; step < tables.Steps; step++)
        {
            Node(graph, "Gather", ["node_feature", node], $"feature_{step}");
            Node(graph, "GatherElements", ["features", $"feature_{step}"], $"x_{step}", OnnxModelWriter.IntAttribute("axis", 1));
            Node(graph, "Gather", ["node_threshold", node], $"threshold_{step}");
            Node(graph, "Gather", ["node_left", node], $"left_{step}");
            Node(graph, "Gather", ["node_right", node], $"right_{step}");
            Node(graph, "Gather", ["node_missing", node], $"missing_{step}");
            node = Choose(graph, step, $"x_{step}", $"threshold_{step}", $"left_{step}", $"right_{step}", $"missing_{step}");
        }
        Node(graph, "Gather", ["leaf_value", node], "leaves");
        Node(graph, "MatMul", ["leaves", "tree_outputs"], "sums");
        var transform = ensemble.Transform switch
        {
            OutputTransform.Logistic => "Sigmoid",
            OutputTransform.Softmax => "Softmax",
            _ => null,
        };
        Node(graph, "Add", ["sums", "base_margins"], transform is null ? OnnxModelWriter.OutputName : "margins");
        if (transform == "Sigmoid") Node(graph, "Sigmoid", ["margins"], OnnxModelWriter.OutputName);
        if (transform == "Softmax") Node(graph, "Softmax", ["margins"], OnnxModelWriter.OutputName, OnnxModelWriter.IntAttribute("axis", 1));
        graph.Input.Add(OnnxModelWriter.FloatMatrix(OnnxModelWriter.InputName, ensemble.FeatureCount));
        graph.Output.Add(OnnxModelWriter.FloatMatrix(OnnxModelWriter.OutputName, ensemble.OutputCount));

        var model = new ModelProto
        {
            IrVersion = OnnxModelWriter.IrVersion,
            ProducerName = "cascade",
            ProducerVersion = typeof(OnnxTraversalWriter).Assembly.GetName().Version?.ToString() ?? "0",
            DocString = $"XGBoost {ensemble.Objective}, {ensemble.Trees.Count} trees walked in {tables.Steps} steps of standard operators (for execution providers without ai.onnx.ml kernels).",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Version = OnnxModelWriter.DefaultOperatorSet });
        foreach (var (key, value) in metadata)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }
        model.MetadataProps.Add(new StringStringEntryProto { Key = GraphKey, Value = GraphValue });
        return model.ToByteArray();
    }

    /// <summary>One step: the child each row goes to from the nodes whose values are <paramref name="x"/>; returns the ids' name.</summary>
    private static string Choose(GraphProto graph, int step, string x, string threshold, string left, string right, string missing)
    {
        Node(graph, "Less", [x, threshold], $"less_{step}");
        Node(graph, "Where", [$"less_{step}", left, right], $"split_{step}");
        Node(graph, "IsNaN", [x], $"nan_{step}");
        var next = $"node_{step + 1}";
        Node(graph, "Where", [$"nan_{step}", missing, $"split_{step}"], next);
        return next;
    }

    /// <summary>[trees, outputs]: 1 where a tree adds its leaf to an output (its class), so one MatMul sums every output.</summary>
    private static float[] TreeOutputs(TreeEnsemble ensemble)
    {
        var matrix = new float[ensemble.Trees.Count * ensemble.OutputCount];
        for (var t = 0; t < ensemble.Trees.Count; t++) matrix[t * ensemble.OutputCount + ensemble.Trees[t].Group] = 1f;
        return matrix;
    }

    private static void Node(GraphProto graph, string op, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { Name = output, OpType = op };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
    }

    private static TensorProto Int64Tensor(string name, long[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        return tensor;
    }

    private static TensorProto FloatTensor(string name, float[] values, long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.FloatData.AddRange(values);
        return tensor;
    }

    /// <summary>Every tree's nodes under global ids (tree after tree, each in its own numbering), and the steps the deepest tree needs.</summary>
    private sealed record NodeTables(long[] Feature, float[] Threshold, long[] Left, long[] Right, long[] Missing, float[] LeafValue, int[] Roots, int Steps)
    {
        public static NodeTables Of(TreeEnsemble ensemble)
        {
            var count = ensemble.Trees.Sum(t => t.Nodes.Count);
            var (feature, threshold, leafValue) = (new long[count], new float[count], new float[count]);
            var (left, right, missing) = (new long[count], new long[count], new long[count]);
            var roots = new int[ensemble.Trees.Count];
            var steps = 1;
            var offset = 0;
            for (var t = 0; t < ensemble.Trees.Count; t++)
            {
                var nodes = ensemble.Trees[t].Nodes;
                roots[t] = offset;
                for (var n = 0; n < nodes.Count; n++)
                {
                    var id = offset + n;
                    var node = nodes[n];
                    if (node.IsLeaf)
                    {
                        // A leaf is its own child whatever the row holds: rows that reached it stay there for the remaining steps.
                        (left[id], right[id], missing[id]) = (id, id, id);
                        leafValue[id] = node.Value;
                    }
                    else
                    {
                        feature[id] = node.Feature;
                        threshold[id] = node.Value;
                        (left[id], right[id]) = (offset + node.Left, offset + node.Right);
                        missing[id] = node.DefaultLeft ? left[id] : right[id];
                    }
                }
                steps = Math.Max(steps, Depth(nodes));
                offset += nodes.Count;
            }
            return new NodeTables(feature, threshold, left, right, missing, leafValue, roots, steps);
        }

        /// <summary>Edges from the root to the deepest leaf (TreeEnsembleReader has bounded it).</summary>
        private static int Depth(IReadOnlyList<Evaluation.SplitNode> nodes)
        {
            var deepest = 0;
            var pending = new Stack<(int Node, int Depth)>([(0, 0)]);
            while (pending.TryPop(out var next))
            {
                var node = nodes[next.Node];
                if (node.IsLeaf)
                {
                    deepest = Math.Max(deepest, next.Depth);
                    continue;
                }
                pending.Push((node.Left, next.Depth + 1));
                pending.Push((node.Right, next.Depth + 1));
            }
            return deepest;
        }
    }
}
