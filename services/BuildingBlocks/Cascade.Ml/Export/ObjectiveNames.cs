namespace Cascade.Ml.Export;

/// <summary>The objective names the exporters support (the ones the compiled evaluator supports).</summary>
internal static class ObjectiveNames
{
    public const string BinaryLogistic = "binary:logistic";
    public const string SquaredError = "reg:squarederror";
    public const string SoftProb = "multi:softprob";
}
