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

    /// <summary>Which engine grows the trees: <see cref="Trainers.XGBoost"/>, <see cref="Trainers.MlNetFastTree"/> or <see cref="Trainers.MlNetLightGbm"/>.</summary>
    /// <value>The default value is xgboost.</value>
    public string Trainer { get; init; } = Trainers.XGBoost;

    /// <summary><c>cpu</c> or <c>cuda</c>.</summary>
    /// <value>The default value is cpu.</value>
    public string Device { get; init; } = "cpu";

    /// <summary>Checked between boosting rounds (XGBoost) or trees and iterations (ML.NET): a cancelled job stops within one round.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>
    /// Called with (rounds done, rounds planned) for progress reports: on the training thread after each XGBoost round;
    /// for ML.NET, from a pool thread polling its progress about every 250 ms, then once on the training thread when the
    /// fit returns (never concurrently). Keep it cheap.
    /// </summary>
    /// <value>The default value is null: no reports.</value>
    public Action<int, int>? OnRound { get; init; }
}
