namespace Cascade.Ml.Optimization;

/// <summary>
/// How much worse on the holdout a pruned model may be than its parent, in the metric that fits its objective:
/// AUC lost (<c>binary:logistic</c>), RMSE gained (<c>reg:squarederror</c>), log loss gained (<c>multi:softprob</c>).
/// </summary>
public sealed record PruningBudget
{
    public PruningBudget(string metric, double maxLoss)
    {
        if (metric is not ("auc" or "rmse" or "mlogloss"))
        {
            throw new ArgumentException($"Pruning is budgeted in auc, rmse or mlogloss, not '{metric}'.", nameof(metric));
        }
        if (!(maxLoss >= 0) || double.IsInfinity(maxLoss))
        {
            throw new ArgumentException($"The budget must be a finite number ≥ 0, got {maxLoss}.", nameof(maxLoss));
        }
        Metric = metric;
        MaxLoss = maxLoss;
    }

    /// <summary>The holdout metric the budget is counted in (a key of <see cref="Metrics.ModelMetrics.For"/>).</summary>
    public string Metric { get; }

    /// <summary>The most the metric may get worse.</summary>
    public double MaxLoss { get; }

    /// <summary>The metric the budget of a model with <paramref name="objective"/> is counted in.</summary>
    public static string MetricFor(string objective) => objective switch
    {
        "binary:logistic" => "auc",
        "multi:softprob" => "mlogloss",
        _ => "rmse",
    };

    /// <summary>How much worse <paramref name="after"/> is than <paramref name="before"/> (negative: better). AUC is better higher, the others lower.</summary>
    public double Loss(double before, double after) => Metric == "auc" ? before - after : after - before;

    public bool Allows(double before, double after) => Loss(before, after) <= MaxLoss;
}
