using Cascade.Ml.Data;
using Cascade.Ml.Native;

namespace Cascade.Ml.Training;

/// <summary>A trained XGBoost model in memory, with what describes it.</summary>
public sealed class TrainedModel : IDisposable
{
    private readonly Booster _booster;

    internal TrainedModel(Booster booster, string objective, int numClass, IReadOnlyList<string> featureNames, IReadOnlyDictionary<string, string> parameters)
    {
        _booster = booster;
        Objective = objective;
        NumClass = numClass;
        FeatureNames = featureNames;
        Parameters = parameters;
    }

    public string Objective { get; }

    /// <summary>Number of classes for multi:softprob, else 1.</summary>
    public int NumClass { get; }

    /// <summary>Outputs per row: 1, or the number of classes.</summary>
    public int OutputsPerRow => Objective == "multi:softprob" ? NumClass : 1;

    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>Every parameter the model was trained with, defaults included.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>Boosting rounds the model holds (after early stopping: the best round + 1).</summary>
    public int Rounds => _booster.BoostedRounds();

    /// <summary>Predicts with XGBoost itself (inplace prediction): probabilities or values, row-major.</summary>
    public float[] Predict(TabularData data)
    {
        RequireSchema(data);
        return _booster.PredictDense(data.Features, data.Rows, data.Columns);
    }

    /// <summary>Predicts row-major rows with XGBoost's inplace prediction (the C API path serving would otherwise take).</summary>
    public float[] PredictDense(ReadOnlySpan<float> rows, int rowCount)
    {
        if (rows.Length != rowCount * FeatureNames.Count)
        {
            throw new ArgumentException($"{rows.Length} values do not make {rowCount} rows of {FeatureNames.Count} features.");
        }
        return _booster.PredictDense(rows, rowCount, FeatureNames.Count);
    }

    /// <summary>TreeSHAP contributions from XGBoost: per row and output group, one value per feature then the bias.</summary>
    public float[] Contributions(TabularData data)
    {
        RequireSchema(data);
        using var matrix = DMatrix.FromTable(data);
        return _booster.PredictContributions(matrix);
    }

    /// <summary>The model as UBJSON (XGBoost's compact format).</summary>
    public byte[] SaveUbj() => _booster.Save("ubj");

    /// <summary>The model as JSON (what the compiled evaluator reads).</summary>
    public byte[] SaveJson() => _booster.Save("json");

    /// <summary>Loads a model saved by <see cref="SaveUbj"/> or <see cref="SaveJson"/>.</summary>
    public static TrainedModel Load(ReadOnlySpan<byte> model, string objective, int numClass, IReadOnlyList<string> featureNames, IReadOnlyDictionary<string, string> parameters)
    {
        var booster = Booster.Load(model);
        // Prediction uses one thread: on shared 2-core machines more threads explode tail latency.
        booster.SetParam("nthread", "1");
        return new TrainedModel(booster, objective, numClass, featureNames, parameters);
    }

    private void RequireSchema(TabularData data)
    {
        if (data.Columns != FeatureNames.Count)
        {
            throw new ArgumentException($"The model expects {FeatureNames.Count} features ({string.Join(", ", FeatureNames)}), the data has {data.Columns}.");
        }
    }

    public void Dispose() => _booster.Dispose();
}
