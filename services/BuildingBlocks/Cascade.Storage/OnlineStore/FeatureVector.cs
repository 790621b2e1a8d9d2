namespace Cascade.Storage.OnlineStore;

/// <summary>The latest feature values of one entity in one feature view, in the view's feature order.</summary>
/// <param name="EntityId">The entity key (the data set's entity column).</param>
/// <param name="Values">Feature values in the view's declared order; NaN marks a missing value.</param>
/// <param name="EventTime">Event time of the newest record that contributed to these values.</param>
/// <param name="UpdatedAt">When the feature service wrote this vector (used to measure freshness).</param>
public sealed record FeatureVector(string EntityId, double[] Values, DateTimeOffset EventTime, DateTimeOffset UpdatedAt);
