namespace Cascade.Storage.OfflineStore;

/// <summary>One point-in-time-correct training row: the feature values of an entity as they were at the record's event time.</summary>
/// <param name="EntityId">The entity key.</param>
/// <param name="EventTime">Event time of the source record.</param>
/// <param name="Partition">Partition of the source record in the data topic.</param>
/// <param name="Offset">Offset of the source record in that partition; (Partition, Offset) identifies the row, which makes writes idempotent.</param>
/// <param name="Values">Feature values in the view's order, computed only from records up to and including the source record.</param>
/// <param name="Label">The label carried by the source record, if any.</param>
public sealed record OfflineFeatureRow(string EntityId, DateTimeOffset EventTime, int Partition, long Offset, double[] Values, double? Label);
