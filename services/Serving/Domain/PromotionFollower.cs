using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Handlers;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace Cascade.Serving.Domain;

/// <summary>
/// Follows <c>ModelPromoted</c> and <c>ModelRolledBack</c>. A fresh consumer group per process replays both topics
/// from the beginning, so a restarted serving process learns every champion from the log alone (the registry may be
/// down), then keeps swapping as new events arrive. A version that fails to load is reported (<c>ModelLoadFailed</c>)
/// and the current one keeps serving. Runs in the event-handler host: an unreadable event is dead-lettered and the
/// follower goes on with the next ones.
/// </summary>
public sealed partial class PromotionFollower(ModelCatalog catalog, IEventLog log, ILogger<PromotionFollower> logger) : IEventBatchHandler
{
    /// <summary>A fresh group that never commits: every process replays the promotion history from the start.</summary>
    public EventHandlerOptions Options { get; } = new()
    {
        Subscription = new ConsumerOptions($"cascade-serving.{Guid.NewGuid():N}", [Topics.ModelsPromoted, Topics.ModelsRolledBack, Topics.ModelsChallenger]),
        Commits = false,
    };

    public async Task<BatchResult> HandleAsync(IReadOnlyList<ConsumedRecord> batch, CancellationToken cancellationToken)
    {
        // Within a batch only the last event per model matters: replaying history loads each model once.
        var latest = new Dictionary<string, (int Version, string Sha, string View)>(StringComparer.Ordinal);
        var challengers = new Dictionary<string, ChallengerSet>(StringComparer.Ordinal);
        foreach (var record in batch.OrderBy(r => r.AppendedAt).ThenBy(r => r.Offset))
        {
            var envelope = EventEnvelope.Parser.ParseFrom(record.Value.Span);
            if (envelope.Type == ModelPromoted.Descriptor.FullName)
            {
                var promoted = ModelPromoted.Parser.ParseFrom(envelope.Payload);
                latest[promoted.Model] = (promoted.Version, promoted.ArtifactSha256, promoted.FeatureView);
            }
            else if (envelope.Type == ChallengerSet.Descriptor.FullName)
            {
                var challenger = ChallengerSet.Parser.ParseFrom(envelope.Payload);
                challengers[challenger.Model] = challenger;
            }
            else if (envelope.Type == ModelRolledBack.Descriptor.FullName)
            {
                var rolledBack = ModelRolledBack.Parser.ParseFrom(envelope.Payload);
                latest[rolledBack.Model] = (rolledBack.ToVersion, rolledBack.ArtifactSha256, rolledBack.FeatureView);
            }
        }
        foreach (var (model, (version, sha, view)) in latest)
        {
            try
            {
                var served = await catalog.LoadAndSwapAsync(model, version, sha, view, cancellationToken);
                LogSwapped(logger, model, served.Version);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Not the event's fault (a missing or corrupt artifact): reported, and the current version keeps serving.
                LogLoadFailed(logger, model, version, ex);
                var failed = new ModelLoadFailed { Model = model, Version = version, KeptVersion = catalog.Find(model)?.Version ?? 0, Reason = ex.Message };
                await log.AppendAsync(Topics.ModelLoadFailed, [new OutgoingRecord(model, EventEnvelopes.Wrap(failed, model, "cascade-serving").ToByteArray())], cancellationToken);
            }
        }
        foreach (var challenger in challengers.Values)
        {
            await LoadChallengerAsync(challenger, cancellationToken);
        }
        return BatchResult.Commit;
    }

    /// <summary>Loads a challenger for canary and shadow traffic; one already overtaken by the champion is skipped.</summary>
    private async Task LoadChallengerAsync(ChallengerSet challenger, CancellationToken cancellationToken)
    {
        if (catalog.Find(challenger.Model) is { } champion && champion.Version >= challenger.Version)
        {
            return; // replaying history: that challenger was promoted or overtaken since
        }
        try
        {
            await catalog.LoadChallengerAsync(challenger.Model, challenger.Version, challenger.ArtifactSha256, challenger.FeatureView, cancellationToken);
            LogChallenger(logger, challenger.Model, challenger.Version);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogLoadFailed(logger, challenger.Model, challenger.Version, ex);
            var failed = new ModelLoadFailed { Model = challenger.Model, Version = challenger.Version, KeptVersion = catalog.Find(challenger.Model)?.Version ?? 0, Reason = $"challenger: {ex.Message}" };
            await log.AppendAsync(Topics.ModelLoadFailed, [new OutgoingRecord(challenger.Model, EventEnvelopes.Wrap(failed, challenger.Model, "cascade-serving").ToByteArray())], cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Challenger {Model} v{Version} loaded for canary and shadow traffic")]
    private static partial void LogChallenger(ILogger logger, string model, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving {Model} v{Version}")]
    private static partial void LogSwapped(ILogger logger, string model, int version);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not load {Model} v{Version}; the current version keeps serving")]
    private static partial void LogLoadFailed(ILogger logger, string model, int version, Exception exception);
}
