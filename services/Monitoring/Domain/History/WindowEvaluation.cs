using Cascade.Monitoring.Domain.Alerts;

namespace Cascade.Monitoring.Domain.History;

/// <summary>
/// One evaluated window of a model version, as drift history keeps it: the records it covered and every measured
/// feature's (or categorical column's) statistics and the prediction's. Features the log withholds are not measured and
/// have no entry.
/// </summary>
public sealed record WindowEvaluation(string Model, int Version, WindowBounds Window, IReadOnlyList<FeatureDrift> Features, FeatureDrift Prediction);
