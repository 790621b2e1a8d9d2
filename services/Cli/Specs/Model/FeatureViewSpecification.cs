namespace Cascade.Cli.Specs.Model;

/// <summary>
/// A feature view over one dataset: passthrough columns, windowed aggregates and categorical columns; <see cref="Ttl"/>
/// zero = never expire.
/// </summary>
internal sealed record FeatureViewSpecification(
    string Dataset,
    IReadOnlyList<string> Passthrough,
    IReadOnlyList<AggregationSpecification> Aggregations,
    TimeSpan Ttl = default,
    IReadOnlyList<CategoricalSpecification>? Categoricals = null) : SpecBody
{
    public override SpecKind Kind => SpecKind.FeatureView;

    /// <summary>The categorical columns (none when null).</summary>
    public IReadOnlyList<CategoricalSpecification> CategoricalColumns => Categoricals ?? [];
}

/// <summary>
/// A categorical column encoded as features: its <see cref="Vocabulary"/> as listed, or (with <see cref="TopK"/>) the K most
/// frequent values of the data when the view is applied; <see cref="Name"/> null = the column's name.
/// </summary>
internal sealed record CategoricalSpecification(string Column, CategoricalEncodingKind Encoding, int TopK, IReadOnlyList<string> Vocabulary, string? Name = null);

internal enum CategoricalEncodingKind
{
    OneHot,
    Ordinal,
}

/// <summary>An aggregate of one column per entity over an event-time window; <see cref="Name"/> null = the service's default name.</summary>
internal sealed record AggregationSpecification(string Column, AggregationKind Function, TimeSpan Window, string? Name = null);

internal enum AggregationKind
{
    Count,
    Sum,
    Mean,
    Min,
    Max,
    Last,
}
