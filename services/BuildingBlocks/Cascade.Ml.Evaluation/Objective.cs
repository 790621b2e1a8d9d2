namespace Cascade.Ml.Evaluation;

/// <summary>The objectives the evaluator supports, with XGBoost 1.7's exact float32 arithmetic.</summary>
internal static class Objective
{
    public const string BinaryLogistic = "binary:logistic";
    public const string SquaredError = "reg:squarederror";
    public const string SoftProb = "multi:softprob";

    public static bool IsSupported(string name) => name is BinaryLogistic or SquaredError or SoftProb;

    /// <summary>The starting margin: XGBoost's ProbToMargin of base_score (logit for logistic, identity otherwise).</summary>
    public static float BaseMargin(string objective, float baseScore) =>
        objective == BinaryLogistic ? -MathF.Log(1.0f / baseScore - 1.0f) : baseScore;

    /// <summary>Turns margins into outputs in place, as XGBoost's PredTransform does.</summary>
    public static void Transform(string objective, Span<float> margins)
    {
        switch (objective)
        {
            case BinaryLogistic:
                for (var i = 0; i < margins.Length; i++)
                {
                    margins[i] = 1.0f / (1.0f + MathF.Exp(-margins[i]));
                }
                break;
            case SoftProb:
                Softmax(margins);
                break;
        }
    }

    private static void Softmax(Span<float> values)
    {
        var max = values[0];
        for (var i = 1; i < values.Length; i++)
        {
            max = MathF.Max(max, values[i]);
        }
        // XGBoost 1.7 (common::Softmax) sums the float exponentials in a double, then divides by that sum cast to float.
        var sum = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = MathF.Exp(values[i] - max);
            sum += values[i];
        }
        var divisor = (float)sum;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] /= divisor;
        }
    }
}
