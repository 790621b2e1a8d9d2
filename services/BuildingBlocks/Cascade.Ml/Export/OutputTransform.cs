namespace Cascade.Ml.Export;

/// <summary>How margins become outputs, as XGBoost's PredTransform does it for the supported objectives.</summary>
public enum OutputTransform
{
    /// <summary>The margin is the output (<c>reg:squarederror</c>).</summary>
    None,

    /// <summary>1 / (1 + exp(−margin)) (<c>binary:logistic</c>).</summary>
    Logistic,

    /// <summary>Softmax across the class margins (<c>multi:softprob</c>).</summary>
    Softmax,
}
