using Cascade.Ml.Data;
using Cascade.Ml.Evaluation;
using Cascade.Ml.Metrics;

namespace Cascade.Ml.Optimization;

/// <summary>What pruning kept, and what it cost on the holdout.</summary>
public sealed record PruningResult(string Json, int TreesBefore, int TreesAfter, int NodesBefore, int NodesAfter, int LeafPairsMerged, double MetricBefore, double MetricAfter);

/// <summary>
/// Prunes an XGBoost ensemble within a holdout budget, in two steps, every candidate scored on the whole holdout and
/// its loss counted against the unpruned model:
/// <list type="number">
/// <item>drop whole boosting rounds from the end: the fewest rounds whose loss fits the budget (binary search: late
/// rounds add ever smaller corrections, so the metric rarely gets better as rounds go);</item>
/// <item>merge sibling leaves that differ by little into their parent, in order of their difference, as many as the
/// budget left allows (binary search again), and repeat on the pairs that merging creates.</item>
/// </list>
/// </summary>
public static class EnsemblePruner
{
    /// <summary>Passes of leaf merging: each pass can only merge parents whose children the previous pass made leaves.</summary>
    private const int MergePasses = 4;

    /// <exception cref="ArgumentException">The holdout has no labels, or not the model's features.</exception>
    /// <exception cref="UnsupportedModelException">The model is not one the evaluator compiles.</exception>
    public static PruningResult Prune(string modelJson, TabularData holdout, PruningBudget budget)
    {
        if (holdout.Labels is null || holdout.Rows == 0)
        {
            throw new ArgumentException("The holdout needs labelled rows: the budget is measured on them.");
        }
        var original = EnsembleJson.Parse(modelJson);
        var full = CompiledModel.FromXgboostJson(modelJson);
        if (holdout.Columns != full.FeatureCount)
        {
            throw new ArgumentException($"The holdout has {holdout.Columns} features, the model {full.FeatureCount}.");
        }
        var before = Score(full, holdout, budget.Metric);
        bool Fits(EnsembleJson candidate) => budget.Allows(before, Score(CompiledModel.FromXgboostJson(candidate.ToString()), holdout, budget.Metric));

        // 1. Rounds from the end: one tree per round, or one per class for multi:softprob.
        var perRound = full.OutputCount;
        var rounds = full.TreeCount / perRound;
        EnsembleJson Keep(int kept)
        {
            var candidate = original.Clone();
            candidate.KeepTrees(kept * perRound);
            return candidate;
        }
        int low = Math.Min(1, rounds), high = rounds;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (Fits(Keep(middle)))
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }
        var pruned = Keep(low);

        // 2. Sibling leaves, closest first.
        var merged = 0;
        for (var pass = 0; pass < MergePasses; pass++)
        {
            var pairs = pruned.LeafPairs().OrderBy(p => p.Difference).ThenBy(p => p.Tree).ThenBy(p => p.Node).ToList();
            EnsembleJson Merge(int count)
            {
                var candidate = pruned.Clone();
                candidate.Merge(pairs.Take(count));
                return candidate;
            }
            int fewest = 0, most = pairs.Count;
            while (fewest < most)
            {
                var middle = (fewest + most + 1) / 2;
                if (Fits(Merge(middle)))
                {
                    fewest = middle;
                }
                else
                {
                    most = middle - 1;
                }
            }
            if (fewest == 0)
            {
                break;
            }
            pruned = Merge(fewest);
            merged += fewest;
        }

        var json = pruned.ToString();
        var after = Score(CompiledModel.FromXgboostJson(json), holdout, budget.Metric);
        return new PruningResult(json, full.TreeCount, pruned.TreeCount, full.NodeCount, pruned.NodeCount, merged, before, after);
    }

    /// <summary>The holdout metric of <paramref name="model"/>.</summary>
    public static double Score(CompiledModel model, TabularData holdout, string metric)
    {
        var predictions = new float[holdout.Rows * model.OutputCount];
        model.PredictBatch(holdout.Features, holdout.Rows, predictions);
        return ModelMetrics.For(model.Objective, holdout.Labels, predictions, model.OutputCount)[metric];
    }
}
