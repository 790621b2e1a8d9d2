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

/// <summary>A value column; <see cref="Sensitive"/> marks personal or confidential data (stored, not yet acted on).</summary>
internal sealed record ColumnSpecification(string Name, ColumnType Type, bool Required = false, bool Sensitive = false);

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
