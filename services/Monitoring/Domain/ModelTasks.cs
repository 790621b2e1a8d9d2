namespace Cascade.Monitoring.Domain;

/// <summary>Maps training objectives to <see cref="ModelTask"/>s.</summary>
public static class ModelTasks
{
    /// <summary>The task of an XGBoost objective; objectives that do not output probabilities are treated as regression.</summary>
    public static ModelTask FromObjective(string objective) => objective switch
    {
        "binary:logistic" => ModelTask.BinaryClassification,
        "multi:softprob" => ModelTask.MulticlassClassification,
        _ => ModelTask.Regression,
    };
}
