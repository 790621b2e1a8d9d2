namespace Cascade.Ml.Export;

/// <summary>
/// An XGBoost tree ensemble as plain data, for the exporters that turn it into other formats (ONNX, C): the trees in
/// XGBoost's order and node numbering, with the base margin and output transform the compiled evaluator applies.
/// Read with <see cref="TreeEnsembleReader"/>.
/// </summary>
public sealed class TreeEnsemble
{
    internal TreeEnsemble(string objective, int featureCount, int outputCount, float baseScore, float baseMargin, IReadOnlyList<ExportTree> trees)
    {
        Objective = objective;
        FeatureCount = featureCount;
        OutputCount = outputCount;
        BaseScore = baseScore;
        BaseMargin = baseMargin;
        Trees = trees;
    }

    /// <summary>The XGBoost objective: <c>binary:logistic</c>, <c>reg:squarederror</c> or <c>multi:softprob</c>.</summary>
    public string Objective { get; }

    public int FeatureCount { get; }

    /// <summary>1, or the number of classes of <c>multi:softprob</c>.</summary>
    public int OutputCount { get; }

    /// <summary>XGBoost's base_score, as the model file records it.</summary>
    public float BaseScore { get; }

    /// <summary>
    /// The margin every output starts from before the trees' leaves are added: base_score through XGBoost's
    /// ProbToMargin (the logit for <c>binary:logistic</c>, base_score itself otherwise), computed in float32 as the evaluator does.
    /// </summary>
    public float BaseMargin { get; }

    /// <summary>The trees, in the order their leaves are summed.</summary>
    public IReadOnlyList<ExportTree> Trees { get; }

    /// <summary>The transform from margins to outputs.</summary>
    public OutputTransform Transform => Objective switch
    {
        ObjectiveNames.BinaryLogistic => OutputTransform.Logistic,
        ObjectiveNames.SoftProb => OutputTransform.Softmax,
        _ => OutputTransform.None,
    };
}
