using Cascade.Contracts.Events;
using Cascade.EventLog.Abstractions;
using Cascade.Features.Materialization;
using Cascade.Features.Storage;
using Cascade.Storage.OfflineStore;
using Cascade.Storage.OnlineStore;

namespace Cascade.Features.Erasure;

/// <summary>What one erasure removed.</summary>
/// <param name="Erasure">The erasure as recorded (its watermark covers every earlier erasure of the entity).</param>
/// <param name="FeatureViews">The views over the dataset, each erased from.</param>
/// <param name="OnlineVectors">Online vectors deleted (at most one per view).</param>
/// <param name="OfflineRows">Offline rows deleted, over every version of every view.</param>
/// <param name="EntityStates">Window states deleted (one per view version that had seen the entity).</param>
public sealed record ErasureResult(EntityErasure Erasure, IReadOnlyList<string> FeatureViews, int OnlineVectors, int OfflineRows, int EntityStates);

/// <summary>
/// Erases an entity of a dataset from Features: records the erasure first (durably, so materialization skips the
/// entity's records from then on, a crash half-way included), then, holding each view's gate so no batch in flight
/// writes the entity back, deletes its online vector, its offline rows and its window state in every version.
/// Idempotent: a second erasure finds nothing more to delete and only extends the watermark to records since.
/// </summary>
public sealed class EntityEraser(FeatureStateStore stateStore, EntityErasures erasures, IOnlineStore online, IOfflineStore offline, IEventLog log)
{
    /// <summary>Erases <paramref name="entityId"/> of <paramref name="dataset"/> from every feature view over it.</summary>
    /// <exception cref="ArgumentException">The dataset or the entity id is empty.</exception>
    public async Task<ErasureResult> EraseAsync(string dataset, string entityId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(dataset)) throw new ArgumentException("dataset is required: name the dataset whose entity to erase.");
        if (string.IsNullOrEmpty(entityId)) throw new ArgumentException("entity_id is required.");
        var versions = stateStore.VersionsOver(dataset);
        var views = versions.Select(v => v.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        // Every view's gate (in name order; a materializer holds only its own, so no two holders wait on each other):
        // batches in flight finish first, and no batch starts until the deletes are done.
        var held = new List<SemaphoreSlim>(views.Length);
        try
        {
            foreach (var view in views)
            {
                var gate = erasures.Gate(view);
                await gate.WaitAsync(cancellationToken);
                held.Add(gate);
            }
            // Measured with the gates held: every record below it that a view has applied, it applied before now.
            var through = await log.GetEndOffsetsAsync(Topics.Data(dataset), cancellationToken);
            var erasure = erasures.Record(dataset, entityId, through, DateTimeOffset.UtcNow);
            var onlineVectors = 0;
            var offlineRows = 0;
            foreach (var view in views)
            {
                onlineVectors += await online.DeleteAsync(view, [entityId], cancellationToken);
                offlineRows += await offline.DeleteEntityAsync(view, entityId, cancellationToken);
            }
            var states = stateStore.DeleteEntityStates(versions.Select(FeatureMaterializer.StateKey), entityId);
            return new ErasureResult(erasure, views, onlineVectors, offlineRows, states);
        }
        finally
        {
            foreach (var gate in held) gate.Release();
        }
    }
}
