using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Handlers;

namespace Cascade.Training.Policies;

/// <summary>
/// Follows Ingestion's dataset announcements into <see cref="DatasetSchemas"/>. A fresh consumer group per process
/// replays the topic from the start, so a restarted scheduler knows every dataset's columns from the log alone
/// (Ingestion announces again at start and every day, so retention never leaves the topic empty).
/// </summary>
public sealed class DatasetSchemaFollower(DatasetSchemas schemas) : IEventBatchHandler
{
    /// <summary>A fresh group that never commits: every process replays the schemas from the start.</summary>
    public EventHandlerOptions Options { get; } = new()
    {
        Subscription = new ConsumerOptions($"cascade-training-schemas.{Guid.NewGuid():N}", [Topics.DatasetsRegistered]),
        Commits = false,
    };

    public Task<BatchResult> HandleAsync(IReadOnlyList<ConsumedRecord> batch, CancellationToken cancellationToken)
    {
        foreach (var record in batch)
        {
            var envelope = EventEnvelope.Parser.ParseFrom(record.Value.Span);
            if (envelope.Type == DatasetRegistered.Descriptor.FullName) schemas.Apply(EventEnvelopes.Unwrap(envelope, DatasetRegistered.Parser));
        }
        return Task.FromResult(BatchResult.Commit);
    }
}
