using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Handlers;
using Microsoft.Extensions.Logging;

namespace Cascade.Serving.Domain;

/// <summary>
/// Follows <c>TrafficPolicyChanged</c>, which the registry publishes through its outbox, into <see cref="TrafficPolicies"/>.
/// As <see cref="PromotionFollower"/> does for champions, a fresh consumer group per process replays the topic from
/// the start, so a replica that starts (or moves) learns every model's current policy from the log alone, even while
/// the registry is down; each later change reaches every replica the same way.
/// </summary>
public sealed partial class TrafficPolicyFollower(TrafficPolicies policies, ILogger<TrafficPolicyFollower> logger) : IEventBatchHandler
{
    /// <summary>A fresh group that never commits: every process replays the policy history from the start.</summary>
    public EventHandlerOptions Options { get; } = new()
    {
        Subscription = new ConsumerOptions($"cascade-serving-traffic.{Guid.NewGuid():N}", [Topics.ModelsTraffic]),
        Commits = false,
    };

    public Task<BatchResult> HandleAsync(IReadOnlyList<ConsumedRecord> batch, CancellationToken cancellationToken)
    {
        foreach (var record in batch)
        {
            var envelope = EventEnvelope.Parser.ParseFrom(record.Value.Span);
            if (envelope.Type != TrafficPolicyChanged.Descriptor.FullName) continue;
            var changed = EventEnvelopes.Unwrap(envelope, TrafficPolicyChanged.Parser);
            // The revision, not the order of arrival, decides: a copy or an older event never undoes a newer policy.
            if (policies.Apply(changed.Model, new TrafficPolicy(changed.CanaryPercent, changed.Shadow), changed.Revision))
            {
                LogApplied(logger, changed.Model, changed.CanaryPercent, changed.Shadow, changed.Revision, changed.Actor);
            }
        }
        return Task.FromResult(BatchResult.Commit);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Traffic policy of {Model}: canary {CanaryPercent}%, shadow {Shadow} (registry revision {Revision}, set by {Actor})")]
    private static partial void LogApplied(ILogger logger, string model, double canaryPercent, bool shadow, long revision, string actor);
}
