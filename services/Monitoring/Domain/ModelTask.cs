namespace Cascade.Monitoring.Domain;

/// <summary>What a model predicts, which decides its loss and metrics.</summary>
public enum ModelTask
{
    /// <summary>One output: the probability of the positive class (XGBoost <c>binary:logistic</c>).</summary>
    BinaryClassification,
    /// <summary>One output per class: class probabilities (XGBoost <c>multi:softprob</c>); labels are class indices.</summary>
    MulticlassClassification,
    /// <summary>One output: the predicted value.</summary>
    Regression,
}
