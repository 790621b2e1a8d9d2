using Microsoft.ML.Calibrators;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace Cascade.Ml.MlNet;

/// <summary>How the class outputs of a one-versus-all model are formed in Cascade.</summary>
internal enum OneVersusAllOutputs
{
    /// <summary>Exactly as ML.NET forms them: only a softmax model (LightGbm multiclass) converts; others are refused.</summary>
    AsMlNet,

    /// <summary>
    /// A softmax over each class model's log-odds (the calibrated margin). Cascade's own <c>mlnet-fasttree</c>
    /// multi-class models: ML.NET's one-versus-all normalises per-class sigmoids by their sum, which a gbtree
    /// <c>multi:softprob</c> cannot express; the softmax of the same log-odds ranks classes identically.
    /// </summary>
    SoftmaxOfLogOdds,
}

/// <summary>
/// Reads a trained ML.NET tree ensemble (FastTree or LightGbm; binary, regression, or multi-class) into the XGBoost
/// node layout. The arithmetic follows ML.NET's <c>InternalRegressionTree.GetLeaf</c> and calibrators:
/// <list type="bullet">
/// <item>ML.NET sends <c>value &lt;= t</c> left, XGBoost <c>value &lt; s</c>: for float32 both are the same test when
/// <c>s</c> is the next float above <c>t</c>.</item>
/// <item>A NaN is replaced by the node's substitute when the tree has them (LightGbm: the threshold to go left, the
/// threshold + 1 to go right) and compared; without, <c>NaN &lt;= t</c> is false and it goes right. Either is one fixed
/// direction per node: XGBoost's default child.</item>
/// <item>The score is the plain sum of leaf values (ML.NET's ensemble ignores its bias and tree weights when
/// predicting); a tree without a split adds 0.</item>
/// <item>A Platt calibrator gives <c>1 / (1 + exp(a·score + b))</c> = <c>sigmoid(−a·score − b)</c>: leaves are scaled by
/// −a, and −b becomes a tree of one leaf, so XGBoost's sigmoid of the margin is the probability.</item>
/// </list>
/// </summary>
internal static class MlNetEnsembleReader
{
    private static readonly HashSet<Type> BinaryModels = [typeof(FastTreeBinaryModelParameters), typeof(LightGbmBinaryModelParameters)];
    private static readonly HashSet<Type> RegressionModels = [typeof(FastTreeRegressionModelParameters), typeof(LightGbmRegressionModelParameters)];

    /// <summary>Converts <paramref name="model"/> (a prediction transformer's model) into a gbtree model over <paramref name="featureNames"/>.</summary>
    /// <param name="classGroups">Output group of each class model of a multi-class model (null: the class order).</param>
    /// <exception cref="NotSupportedException">The model is not a boosted tree ensemble Cascade can reproduce exactly, saying why.</exception>
    public static ConvertedEnsemble Read(object model, IReadOnlyList<string> featureNames, OneVersusAllOutputs oneVersusAll, IReadOnlyList<int>? classGroups = null)
    {
        switch (model)
        {
            case CalibratedModelParametersBase calibrated:
                var (scale, offset) = Platt(calibrated);
                var binary = RequireKind(calibrated.SubModel, BinaryModels, "binary classifier");
                return new ConvertedEnsemble("binary:logistic", 1, featureNames, Trees(binary, featureNames.Count, group: 0, scale, offset).ToList());
            case TreeEnsembleModelParametersBasedOnRegressionTree when RegressionModels.Contains(model.GetType()):
                var regression = (TreeEnsembleModelParametersBasedOnRegressionTree)model;
                return new ConvertedEnsemble("reg:squarederror", 1, featureNames, Trees(regression, featureNames.Count, group: 0, scale: 1, offset: 0).ToList());
            case OneVersusAllModelParameters ova:
                return ReadOneVersusAll(ova, featureNames, oneVersusAll, classGroups);
            default:
                throw new NotSupportedException(
                    $"The model is a {model.GetType().Name}; Cascade converts boosted tree ensembles: FastTree or LightGbm binary classification, regression, and LightGbm multi-class with softmax (a forest averages its trees, Tweedie exponentiates them, a GAM or linear model has no trees).");
        }
    }

    private static ConvertedEnsemble ReadOneVersusAll(OneVersusAllModelParameters ova, IReadOnlyList<string> featureNames, OneVersusAllOutputs outputs, IReadOnlyList<int>? classGroups)
    {
        var formula = MlNetInternals.OutputFormula(ova);
        var classes = MlNetInternals.SubModels(ova);
        if (outputs == OneVersusAllOutputs.AsMlNet && formula != "Softmax")
        {
            throw new NotSupportedException(
                $"This one-versus-all model combines its {classes.Count} class models by {formula}: Cascade's multi:softprob is a softmax of tree sums and cannot reproduce that exactly. Train the multi-class model with LightGbm and UseSoftmax = true (below 50,000 rows ML.NET otherwise picks one-versus-all), or with 'cascade train --trainer mlnet-lightgbm'.");
        }
        if (classGroups is not null && classGroups.Count != classes.Count)
        {
            throw new ArgumentException($"{classGroups.Count} class groups for {classes.Count} class models.", nameof(classGroups));
        }
        var trees = new List<ConvertedTree>();
        for (var k = 0; k < classes.Count; k++)
        {
            var group = classGroups?[k] ?? k;
            if (classes[k] is not CalibratedModelParametersBase calibrated)
            {
                throw new NotSupportedException($"Class model {k} is a {classes[k].GetType().Name}, not a calibrated tree ensemble.");
            }
            var ensemble = RequireKind(calibrated.SubModel, BinaryModels, $"class model {k}");
            // Softmax (LightGbm) reads each class model's raw score; Cascade's own one-versus-all its log-odds.
            var (scale, offset) = formula == "Softmax" ? (1d, 0d) : Platt(calibrated);
            trees.AddRange(Trees(ensemble, featureNames.Count, group, scale, offset));
        }
        return new ConvertedEnsemble("multi:softprob", classes.Count, featureNames, trees);
    }

    /// <summary>The margin scale and offset of a Platt calibrator: probability = sigmoid(scale·score + offset).</summary>
    private static (double Scale, double Offset) Platt(CalibratedModelParametersBase calibrated) => calibrated.Calibrator is PlattCalibrator platt
        ? (-platt.Slope, -platt.Offset)
        : throw new NotSupportedException($"The model's probabilities come from a {calibrated.Calibrator?.GetType().Name ?? "missing"} calibrator; Cascade reproduces Platt (sigmoid) calibration only, which FastTree and LightGbm use by default.");

    private static TreeEnsembleModelParametersBasedOnRegressionTree RequireKind(object model, HashSet<Type> kinds, string role) =>
        model is TreeEnsembleModelParametersBasedOnRegressionTree ensemble && kinds.Contains(model.GetType())
            ? ensemble
            : throw new NotSupportedException(
                $"The {role} is a {model.GetType().Name}; Cascade converts boosted FastTree and LightGbm ensembles (a forest averages its trees, Tweedie exponentiates them, a GAM has no trees).");

    private static IEnumerable<ConvertedTree> Trees(TreeEnsembleModelParametersBasedOnRegressionTree model, int featureCount, int group, double scale, double offset)
    {
        if (offset != 0)
        {
            yield return ConvertedTree.Constant(group, (float)offset);
        }
        var trees = model.TrainedTreeEnsemble.Trees;
        for (var t = 0; t < trees.Count; t++)
        {
            yield return Tree(trees[t], t, featureCount, group, scale);
        }
    }

    private static ConvertedTree Tree(RegressionTreeBase tree, int index, int featureCount, int group, double scale)
    {
        var inner = tree.NumberOfNodes;
        if (inner == 0)
        {
            // ML.NET's GetOutput answers 0 for a tree that never split, whatever its single leaf holds.
            return ConvertedTree.Constant(group, 0f);
        }
        if (tree.CategoricalSplitFlags.Take(inner).Any(c => c))
        {
            throw new NotSupportedException($"Tree {index} splits on a categorical feature; Cascade's evaluator compares numbers only. Train without categorical splits (LightGbm: UseCategoricalSplit=false).");
        }
        var leaves = tree.NumberOfLeaves;
        if (leaves != inner + 1 || tree.LeafValues.Count < leaves)
        {
            throw new NotSupportedException($"Tree {index} is malformed: {inner} splits and {leaves} leaves.");
        }
        var substitutes = MlNetInternals.MissingValueSubstitutes(tree);
        var count = inner + leaves;
        var left = new int[count];
        var right = new int[count];
        var feature = new int[count];
        var value = new float[count];
        var defaultLeft = new bool[count];
        for (var n = 0; n < inner; n++)
        {
            var threshold = tree.NumericalSplitThresholds[n];
            feature[n] = tree.NumericalSplitFeatureIndexes[n];
            if (feature[n] < 0 || feature[n] >= featureCount)
            {
                throw new NotSupportedException($"Tree {index}, node {n} splits on feature {feature[n]}; the model has {featureCount} features.");
            }
            if (float.IsNaN(threshold))
            {
                throw new NotSupportedException($"Tree {index}, node {n} has a NaN threshold.");
            }
            left[n] = Child(tree.LeftChild[n], inner);
            right[n] = Child(tree.RightChild[n], inner);
            value[n] = SplitCondition(threshold);
            defaultLeft[n] = substitutes is not null && substitutes[n] <= threshold;
        }
        for (var leaf = 0; leaf < leaves; leaf++)
        {
            var node = inner + leaf;
            left[node] = right[node] = -1;
            value[node] = (float)(scale * tree.LeafValues[leaf]);
        }
        return new ConvertedTree(group, left, right, feature, value, defaultLeft, new double[count]).WithSiblingsAdjacent();
    }

    /// <summary>ML.NET numbers inner nodes 0…n−1 and leaf <c>j</c> as <c>~j</c>; XGBoost's layout puts leaf <c>j</c> at <c>n + j</c>.</summary>
    private static int Child(int child, int inner) => child < 0 ? inner + ~child : child;

    /// <summary>
    /// The XGBoost split equal to ML.NET's <c>value &lt;= threshold</c>: the next float up, for every finite input.
    /// A threshold at float.MaxValue or beyond (LightGbm's double thresholds can round to +∞) keeps float.MaxValue, as
    /// JSON holds no infinity: only an input of exactly float.MaxValue or +∞ could then go the other way.
    /// </summary>
    internal static float SplitCondition(float threshold) => threshold >= float.MaxValue ? float.MaxValue : MathF.BitIncrement(threshold);
}
