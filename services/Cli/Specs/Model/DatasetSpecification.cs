namespace Cascade.Cli.Specs.Model;

/// <summary>A dataset: its entity key, event time, optional label and typed value columns (the wire's <c>DatasetSpec</c>, less the name).</summary>
internal sealed record DatasetSpecification(
    string EntityColumn,
    string EventTimeColumn,
    string? LabelColumn,
    IReadOnlyList<ColumnSpecification> Columns,
    NonFiniteHandling NonFinite = NonFiniteHandling.Reject,
    int MaxRecordBytes = 0,
    int Partitions = 0) : SpecBody
{
    public override SpecKind Kind => SpecKind.Dataset;
}

/// <summary>
/// A value column; <see cref="Sensitive"/> marks personal or confidential data, whose values (and every feature made
/// from them) the prediction log and monitoring hash or drop, as <see cref="Privacy"/> says (meaningful only when sensitive).
/// </summary>
internal sealed record ColumnSpecification(string Name, ColumnType Type, bool Required = false, bool Sensitive = false, SensitiveTreatment Privacy = SensitiveTreatment.Hash);

/// <summary>How a sensitive column's values are treated where they would leave the feature stores.</summary>
internal enum SensitiveTreatment
{
    /// <summary>A keyed hash in their place (the default).</summary>
    Hash,
    /// <summary>Left out.</summary>
    Drop,
}

internal enum ColumnType
{
    Float64,
    Int64,
    String,
    Bool,
}

/// <summary>What Ingestion does with NaN and infinities in FLOAT64 columns.</summary>
internal enum NonFiniteHandling
{
    Reject,
    AsMissing,
}
