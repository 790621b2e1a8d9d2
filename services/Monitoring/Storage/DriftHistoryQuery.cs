namespace Cascade.Monitoring.Storage;

/// <summary>Which drift history to read: one model, one version or all (0), windows ending in [From, To], the latest
/// <paramref name="Limit"/> per version, the named features (empty: all) and always the prediction.</summary>
public sealed record DriftHistoryQuery(string Model, int Version, DateTimeOffset? From, DateTimeOffset? To, int Limit, IReadOnlyCollection<string> Features);
