namespace Cascade.Cli.Specs.Model;

/// <summary>A feature view over one dataset: passthrough columns and windowed aggregates; <see cref="Ttl"/> zero = never expire.</summary>
internal sealed record FeatureViewSpecification(
    string Dataset,
    IReadOnlyList<string> Passthrough,
    IReadOnlyList<AggregationSpecification> Aggregations,
    TimeSpan Ttl = default) : SpecBody
{
    public override SpecKind Kind => SpecKind.FeatureView;
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
