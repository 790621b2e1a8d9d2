using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Handlers;

namespace Cascade.Serving.Privacy;

/// <summary>
/// Follows dataset schemas and feature view sources into the <see cref="FeaturePrivacyCatalog"/>. Like the promotion
/// follower, a fresh consumer group per process replays both topics from the start, so a restarted process knows
/// every column's privacy from the log alone (Ingestion and Features announce again at start and every day, so
/// retention never leaves the topics empty).
/// </summary>
public sealed class PrivacyFollower(FeaturePrivacyCatalog catalog) : IEventBatchHandler
{
    /// <summary>A fresh group that never commits: every process replays the schemas and views from the start.</summary>
    public EventHandlerOptions Options { get; } = new()
    {
        Subscription = new ConsumerOptions($"cascade-serving-privacy.{Guid.NewGuid():N}", [Topics.DatasetsRegistered, Topics.FeatureViewsApplied]),
        Commits = false,
    };

    public Task<BatchResult> HandleAsync(IReadOnlyList<ConsumedRecord> batch, CancellationToken cancellationToken)
    {
        foreach (var record in batch)
        {
            var envelope = EventEnvelope.Parser.ParseFrom(record.Value.Span);
            if (envelope.Type == DatasetRegistered.Descriptor.FullName)
            {
                catalog.Apply(EventEnvelopes.Unwrap(envelope, DatasetRegistered.Parser));
            }
            else if (envelope.Type == FeatureViewApplied.Descriptor.FullName)
            {
                catalog.Apply(EventEnvelopes.Unwrap(envelope, FeatureViewApplied.Parser));
            }
        }
        return Task.FromResult(BatchResult.Commit);
    }
}
