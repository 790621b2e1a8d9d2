using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Handlers;
using Cascade.Hosting.Security;
using Cascade.Ml.Artifacts;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace Cascade.Serving.Domain;

/// <summary>
/// Follows <c>ModelPromoted</c> and <c>ModelRolledBack</c>. A fresh consumer group per process replays both topics
/// from the beginning, so a restarted serving process learns every champion from the log alone (the registry may be
/// down), then keeps swapping as new events arrive. A version that fails to load is reported (<c>ModelLoadFailed</c>,
/// which Monitoring raises as a CRITICAL alert) and the current one keeps serving; one that is refused (unsigned,
/// signed by a key not trusted, altered) is also recorded in the audit trail. When nothing serves the model yet (a
/// restart replaying the log), the champion before the failed one is loaded in its place: a refused promotion never
/// takes a model offline. Runs in the event-handler host: an unreadable event is dead-lettered and the follower goes on
/// with the next ones.
/// </summary>
/// <remarks>The audit trail is optional while hosts without one exist: where none is registered, refusals are logged and alerted only.</remarks>
public sealed partial class PromotionFollower(ModelCatalog catalog, IEventLog log, ILogger<PromotionFollower> logger, IAuditTrail? audit = null) : IEventBatchHandler
{
    /// <summary>Every champion of each model, in log order: where the latest cannot be loaded, the one before it can stand in.</summary>
    private readonly Dictionary<string, List<Champion>> _history = new(StringComparer.Ordinal);

    private readonly record struct Champion(int Version, string Sha256, string FeatureView);

    /// <summary>A fresh group that never commits: every process replays the promotion history from the start.</summary>
    public EventHandlerOptions Options { get; } = new()
    {
        Subscription = new ConsumerOptions($"cascade-serving.{Guid.NewGuid():N}", [Topics.ModelsPromoted, Topics.ModelsRolledBack, Topics.ModelsChallenger]),
        Commits = false,
    };

    public async Task<BatchResult> HandleAsync(IReadOnlyList<ConsumedRecord> batch, CancellationToken cancellationToken)
    {
        // Within a batch only the last event per model matters: replaying history loads each model once.
        var latest = new Dictionary<string, Champion>(StringComparer.Ordinal);
        var challengers = new Dictionary<string, ChallengerSet>(StringComparer.Ordinal);
        foreach (var record in batch.OrderBy(r => r.AppendedAt).ThenBy(r => r.Offset))
        {
            var envelope = EventEnvelope.Parser.ParseFrom(record.Value.Span);
            if (envelope.Type == ModelPromoted.Descriptor.FullName)
            {
                var promoted = ModelPromoted.Parser.ParseFrom(envelope.Payload);
                latest[promoted.Model] = Remember(promoted.Model, new Champion(promoted.Version, promoted.ArtifactSha256, promoted.FeatureView));
            }
            else if (envelope.Type == ChallengerSet.Descriptor.FullName)
            {
                var challenger = ChallengerSet.Parser.ParseFrom(envelope.Payload);
                challengers[challenger.Model] = challenger;
            }
            else if (envelope.Type == ModelRolledBack.Descriptor.FullName)
            {
                var rolledBack = ModelRolledBack.Parser.ParseFrom(envelope.Payload);
                latest[rolledBack.Model] = Remember(rolledBack.Model, new Champion(rolledBack.ToVersion, rolledBack.ArtifactSha256, rolledBack.FeatureView));
            }
        }
        foreach (var (model, champion) in latest)
        {
            await FollowAsync(model, champion, cancellationToken);
        }
        foreach (var challenger in challengers.Values)
        {
            await LoadChallengerAsync(challenger, cancellationToken);
        }
        return BatchResult.Commit;
    }

    private Champion Remember(string model, Champion champion)
    {
        if (!_history.TryGetValue(model, out var champions)) _history[model] = champions = [];
        champions.Add(champion);
        return champion;
    }

    /// <summary>Swaps <paramref name="champion"/> in; if it cannot be, reports it and keeps (or, when nothing serves the model, restores) the champion before it.</summary>
    private async Task FollowAsync(string model, Champion champion, CancellationToken cancellationToken)
    {
        try
        {
            var served = await catalog.LoadAndSwapAsync(model, champion.Version, champion.Sha256, champion.FeatureView, cancellationToken);
            LogSwapped(logger, model, served.Version, served.Artifact.Signature.Describe());
            return;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not the event's fault (a missing, corrupt or refused artifact): reported, and the current version keeps serving.
            await NoteFailureAsync(model, champion, ex, cancellationToken);
            var failed = new ModelLoadFailed { Model = model, Version = champion.Version, KeptVersion = await StandInAsync(model, champion, cancellationToken), Reason = ex.Message };
            await log.AppendAsync(Topics.ModelLoadFailed, [new OutgoingRecord(model, EventEnvelopes.Wrap(failed, model, "cascade-serving").ToByteArray())], cancellationToken);
        }
    }

    /// <summary>
    /// The version that serves <paramref name="model"/> now that <paramref name="failed"/> could not: the current one, or
    /// (when none is loaded) the champion before <paramref name="failed"/> in the log, if it loads; 0 for none. Only
    /// that one is tried: the versions before it were replaced or rolled back for a reason.
    /// </summary>
    private async Task<int> StandInAsync(string model, Champion failed, CancellationToken cancellationToken)
    {
        if (catalog.Find(model) is { } current) return current.Version;
        var earlier = (_history.GetValueOrDefault(model) ?? []).Where(c => c.Version != failed.Version).ToArray();
        if (earlier.Length == 0) return 0;
        var standIn = earlier[^1];
        try
        {
            var served = await catalog.LoadAndSwapAsync(model, standIn.Version, standIn.Sha256, standIn.FeatureView, cancellationToken);
            LogStandIn(logger, model, served.Version, failed.Version, served.Artifact.Signature.Describe());
            return served.Version;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await NoteFailureAsync(model, standIn, ex, cancellationToken);
            return 0;
        }
    }

    /// <summary>Logs a failed load; a refusal is logged as critical and recorded in the audit trail.</summary>
    private async Task NoteFailureAsync(string model, Champion champion, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not ArtifactRefusedException refused)
        {
            LogLoadFailed(logger, model, champion.Version, exception);
            return;
        }
        LogRefused(logger, model, champion.Version, refused.Refusal, refused.Message);
        if (audit is not null)
        {
            await audit.RecordAsync(new AuditEntry("serving", "service", "artifact.refused", $"{model}@{champion.Version}", AuditOutcome.Refused,
                $"{refused.Message} Artifact {champion.Sha256}."), cancellationToken);
        }
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
            await NoteFailureAsync(challenger.Model, new Champion(challenger.Version, challenger.ArtifactSha256, challenger.FeatureView), ex, cancellationToken);
            var failed = new ModelLoadFailed { Model = challenger.Model, Version = challenger.Version, KeptVersion = catalog.Find(challenger.Model)?.Version ?? 0, Reason = $"challenger: {ex.Message}" };
            await log.AppendAsync(Topics.ModelLoadFailed, [new OutgoingRecord(challenger.Model, EventEnvelopes.Wrap(failed, challenger.Model, "cascade-serving").ToByteArray())], cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Challenger {Model} v{Version} loaded for canary and shadow traffic")]
    private static partial void LogChallenger(ILogger logger, string model, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving {Model} v{Version}: {Signature}")]
    private static partial void LogSwapped(ILogger logger, string model, int version, string signature);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Serving {Model} v{Version} in place of v{Failed}, which could not be loaded: {Signature}")]
    private static partial void LogStandIn(ILogger logger, string model, int version, int failed, string signature);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Refused {Model} v{Version} ({Refusal}): {Reason} The current version keeps serving.")]
    private static partial void LogRefused(ILogger logger, string model, int version, ArtifactRefusal refusal, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not load {Model} v{Version}; the current version keeps serving")]
    private static partial void LogLoadFailed(ILogger logger, string model, int version, Exception exception);
}
