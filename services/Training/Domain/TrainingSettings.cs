using System.Globalization;
using Cascade.Contracts.Training.V1;
using Cascade.Ml.Data;
using Cascade.Ml.Training;
using TrainingOptions = Cascade.Ml.Training.TrainingOptions;

namespace Cascade.Training.Domain;

/// <summary>
/// How a job turns rows into a model, beyond the rows themselves: the trainer and its parameters, the rounds, early
/// stopping, the split and the row cap. Taken from the policy when a job runs and recorded in the version's lineage
/// (<c>training.*</c> parameters), so <c>cascade models reproduce</c> can train the same way after the policy changed.
/// </summary>
public sealed record TrainingSettings
{
    /// <summary>The prefix of the lineage parameters that record these settings (not trainer parameters).</summary>
    public const string LineagePrefix = "training.";

    private const int DefaultRounds = 100;

    /// <summary><see cref="Trainers.XGBoost"/>, <see cref="Trainers.MlNetFastTree"/> or <see cref="Trainers.MlNetLightGbm"/>.</summary>
    public required string Trainer { get; init; }

    /// <summary>The trainer's parameters, <c>objective</c> (and <c>num_class</c>) included, in XGBoost's names.</summary>
    public required IReadOnlyDictionary<string, string> Parameters { get; init; }

    public required int Rounds { get; init; }

    /// <summary>Rounds without improvement before stopping (only with validation rows); 0 = off.</summary>
    public int EarlyStoppingRounds { get; init; }

    public required double ValidationFraction { get; init; }

    public required double HoldoutFraction { get; init; }

    /// <summary>The most recent labeled rows to train on; 0 = all.</summary>
    public long MaxTrainingRows { get; init; }

    /// <summary>What a job of <paramref name="policy"/> trains with.</summary>
    public static TrainingSettings FromPolicy(TrainingPolicySpec policy)
    {
        var parameters = new Dictionary<string, string>(policy.Parameters, StringComparer.Ordinal) { ["objective"] = policy.Objective };
        if (policy.NumClass > 0) parameters["num_class"] = policy.NumClass.ToString(CultureInfo.InvariantCulture);
        return new TrainingSettings
        {
            Trainer = Trainers.Require(policy.Trainer),
            Parameters = parameters,
            Rounds = policy.Rounds > 0 ? policy.Rounds : DefaultRounds,
            EarlyStoppingRounds = Math.Max(0, policy.EarlyStoppingRounds),
            ValidationFraction = policy.ValidationFraction,
            HoldoutFraction = policy.HoldoutFraction,
            MaxTrainingRows = Math.Max(0, policy.MaxTrainingRows),
        };
    }

    /// <summary>The settings as lineage parameters, beside the trainer's own.</summary>
    public Dictionary<string, string> ToLineageParameters() => new(StringComparer.Ordinal)
    {
        [LineagePrefix + "trainer"] = Trainer,
        [LineagePrefix + "rounds"] = Rounds.ToString(CultureInfo.InvariantCulture),
        [LineagePrefix + "early_stopping_rounds"] = EarlyStoppingRounds.ToString(CultureInfo.InvariantCulture),
        [LineagePrefix + "validation_fraction"] = ValidationFraction.ToString("R", CultureInfo.InvariantCulture),
        [LineagePrefix + "holdout_fraction"] = HoldoutFraction.ToString("R", CultureInfo.InvariantCulture),
        [LineagePrefix + "max_training_rows"] = MaxTrainingRows.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Whether <paramref name="lineageParameters"/> record the settings (versions trained before they were recorded do not).</summary>
    public static bool Recorded(IReadOnlyDictionary<string, string> lineageParameters) => lineageParameters.ContainsKey(LineagePrefix + "rounds");

    /// <summary>
    /// The settings a version was trained with: the parameters its lineage records (resolved as the worker resolved them:
    /// seed, threads, defaults), with the split, rounds and cap it records or, for a version that predates them,
    /// <paramref name="policy"/>'s.
    /// </summary>
    /// <exception cref="ArgumentException">The lineage records no settings and no policy was given, or a recorded value is unreadable.</exception>
    public static TrainingSettings FromLineage(IReadOnlyDictionary<string, string> lineageParameters, TrainingPolicySpec? policy = null)
    {
        // What the trainers add for reading only (ML.NET's resolved settings, the engine's name) is not a parameter they take.
        var parameters = lineageParameters
            .Where(p => !p.Key.StartsWith(LineagePrefix, StringComparison.Ordinal) && !p.Key.StartsWith("mlnet_", StringComparison.Ordinal)
                && !p.Key.StartsWith(Ml.Optimization.ModelOptimization.LineagePrefix, StringComparison.Ordinal) && p.Key != "trainer")
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        if (!Recorded(lineageParameters))
        {
            var fallback = FromPolicy(policy ?? throw new ArgumentException("The version's lineage records no training settings (rounds, split, row cap), and no policy was given to take them from."));
            return fallback with { Trainer = Trainers.Require(lineageParameters.GetValueOrDefault("trainer")), Parameters = parameters };
        }
        string Text(string name) => lineageParameters.TryGetValue(LineagePrefix + name, out var value) ? value : throw new ArgumentException($"The lineage records no {LineagePrefix}{name}.");
        int Integer(string name) => int.TryParse(Text(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : throw new ArgumentException($"{LineagePrefix}{name} is not a whole number: '{Text(name)}'.");
        double Real(string name) => double.TryParse(Text(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : throw new ArgumentException($"{LineagePrefix}{name} is not a number: '{Text(name)}'.");
        return new TrainingSettings
        {
            Trainer = Trainers.Require(Text("trainer")),
            Parameters = parameters,
            Rounds = Integer("rounds"),
            EarlyStoppingRounds = Integer("early_stopping_rounds"),
            ValidationFraction = Real("validation_fraction"),
            HoldoutFraction = Real("holdout_fraction"),
            MaxTrainingRows = long.TryParse(Text("max_training_rows"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var cap) ? cap : throw new ArgumentException($"{LineagePrefix}max_training_rows is not a whole number."),
        };
    }

    /// <summary>The trainer's options for a training set with <paramref name="validation"/> rows on <paramref name="device"/>.</summary>
    public TrainingOptions Options(TabularData validation, string device, CancellationToken cancellation, Action<int, int>? onRound) => new()
    {
        Trainer = Trainer,
        Parameters = new Dictionary<string, string>(Parameters, StringComparer.Ordinal),
        Rounds = Rounds,
        EarlyStoppingRounds = EarlyStoppingRounds > 0 && validation.Rows > 0 ? EarlyStoppingRounds : null,
        Device = device,
        Cancellation = cancellation,
        OnRound = onRound,
    };
}
