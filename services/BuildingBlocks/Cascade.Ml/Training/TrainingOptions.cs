namespace Cascade.Ml.Training;

/// <summary>How to train: XGBoost parameters, rounds, early stopping, device.</summary>
public sealed class TrainingOptions
{
    /// <summary>XGBoost parameters; Cascade's defaults (<c>tree_method=hist</c>, <c>seed=0</c>, <c>nthread=cores−1</c>) fill what is not given.</summary>
    public Dictionary<string, string> Parameters { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Boosting rounds.</summary>
    /// <value>The default value is 100.</value>
    public int Rounds { get; init; } = 100;

    /// <summary>Stop after this many rounds without improvement on the validation set, keeping the best round; null = off.</summary>
    public int? EarlyStoppingRounds { get; init; }

    /// <summary><c>cpu</c> or <c>cuda</c>.</summary>
    /// <value>The default value is cpu.</value>
    public string Device { get; init; } = "cpu";

    /// <summary>Checked between boosting rounds: a cancelled job stops within one round.</summary>
    public CancellationToken Cancellation { get; init; }
}
