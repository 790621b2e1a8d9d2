namespace Cascade.Cli.Specs.Model;

/// <summary>How and when a model (the object's name) is trained: the wire's <c>TrainingPolicySpec</c>, less the model name.</summary>
internal sealed record TrainingPolicySpecification(
    string Dataset,
    string FeatureView,
    string Objective,
    IReadOnlyDictionary<string, string> Parameters,
    int Rounds,
    int EarlyStoppingRounds,
    ResourceSpecification Resources,
    TriggerSpecification Triggers,
    double ValidationFraction,
    double HoldoutFraction,
    long MaxTrainingRows,
    int NumClass,
    string Trainer = "",
    SegmentSpecification? Segment = null) : SpecBody
{
    public override SpecKind Kind => SpecKind.TrainingPolicy;
}

/// <summary>
/// <c>monitoring.segment</c>: the dataset column whose groups Monitoring watches apart, with a numeric column's inner
/// bin edges or bin count, and the most groups watched (0 = Training's default).
/// </summary>
internal sealed record SegmentSpecification(string Column, IReadOnlyList<double> Bins, int BinCount = 0, int MaxSegments = 0);

/// <summary>What a training job needs from a worker; a null accelerator leaves the choice to Training.</summary>
internal sealed record ResourceSpecification(Accelerator? Accelerator = null, int CpuCores = 0)
{
    public static readonly ResourceSpecification None = new();
}

internal enum Accelerator
{
    Cpu,
    Gpu,
}

/// <summary>What starts a job; zero counts and durations are off.</summary>
internal sealed record TriggerSpecification(long EveryNewLabeledRows = 0, bool OnDrift = false, TimeSpan Schedule = default, TimeSpan Debounce = default, TimeSpan Cooldown = default)
{
    public static readonly TriggerSpecification None = new();
}
