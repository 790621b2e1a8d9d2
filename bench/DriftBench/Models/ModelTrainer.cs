using Cascade.Bench.Drift.Generators;
using Cascade.Ml.Data;

namespace Cascade.Bench.Drift.Models;

/// <summary>Trains a <see cref="ModelKind"/> on a table with integer class labels.</summary>
public static class ModelTrainer
{
    public static IServedModel Train(ModelKind kind, StreamSchema schema, TabularData data) => kind switch
    {
        ModelKind.NaiveBayes => NaiveBayesModel.Train(schema, data),
        ModelKind.XGBoost => XGBoostModel.Train(schema, data),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
