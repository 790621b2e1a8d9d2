using System.Diagnostics;
using Cascade.Ml.Data;
using Cascade.Ml.Evaluation;
using Cascade.Ml.Evaluation.Quantised;

namespace Cascade.Ml.Optimization;

/// <summary>What a model costs to keep and to run: its size three ways and its single-row latency.</summary>
/// <param name="ModelJsonBytes">The artifact's <c>model.json</c>.</param>
/// <param name="QuantisedBytes">The quantised evaluator's nodes and thresholds in memory.</param>
/// <param name="LatencyMicroseconds">Median single-row latency of the default (JIT-compiled) evaluator, a different holdout row each call.</param>
public sealed record ModelFootprint(int Trees, int Nodes, long ModelJsonBytes, long QuantisedBytes, double LatencyMicroseconds)
{
    /// <summary>Measures <paramref name="model"/> over <paramref name="calls"/> single-row predictions of <paramref name="rows"/>.</summary>
    public static ModelFootprint Measure(CompiledModel model, long modelJsonBytes, TabularData rows, int calls = 20_000)
    {
        var scorer = TreeScorers.Create(model);
        var quantisedBytes = TreeScorers.Create(model, TreeEngine.Quantised) is QuantisedModel quantised ? quantised.ModelBytes : 0;
        var output = new float[model.OutputCount];
        var samples = new double[calls];
        for (var i = 0; i < Math.Min(calls, 2_000); i++)
        {
            scorer.Predict(rows.Row(i % rows.Rows), output);
        }
        for (var i = 0; i < calls; i++)
        {
            var row = rows.Row(i % rows.Rows);
            var start = Stopwatch.GetTimestamp();
            scorer.Predict(row, output);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(samples);
        return new ModelFootprint(model.TreeCount, model.NodeCount, modelJsonBytes, quantisedBytes, samples[calls / 2]);
    }
}
