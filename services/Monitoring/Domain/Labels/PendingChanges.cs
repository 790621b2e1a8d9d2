namespace Cascade.Monitoring.Domain.Labels;

/// <summary>
/// What changed in a <see cref="PendingPredictions"/> since its last checkpoint, so a checkpoint writes only that
/// instead of every waiting prediction (100,000 by default) each time. Each prediction carries the sequence number it
/// was given on arrival: the store keys its chunks and the notes of what left by it, and restoring in sequence order
/// restores the arrival order.
/// </summary>
/// <param name="Replace">True when the stored predictions must be replaced by <paramref name="Added"/> (the first
/// checkpoint of this set, after a restore, after a lost checkpoint, or when more changed than is waiting).</param>
/// <param name="Added">Predictions added since the last checkpoint and still waiting (all waiting ones when replacing), in arrival order.</param>
/// <param name="Removed">Sequence numbers of checkpointed predictions that left since (joined, expired or dropped); empty when replacing.</param>
public sealed record PendingChanges(bool Replace, IReadOnlyList<(long Sequence, PendingPrediction Prediction)> Added, IReadOnlyList<long> Removed);
