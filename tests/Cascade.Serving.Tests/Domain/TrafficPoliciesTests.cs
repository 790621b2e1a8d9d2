using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.EventLog.Abstractions;
using Cascade.Serving.Domain;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cascade.Serving.Tests.Domain;

/// <summary>
/// A replica's copy of the registry's traffic policies: the registry's revision, not the order events arrive in,
/// decides which policy holds, and a caller can wait for a given revision to be applied.
/// </summary>
public sealed class TrafficPoliciesTests
{
    private static ConsumedRecord Changed(long offset, string model, double percent, bool shadow, long revision) =>
        new(Topics.ModelsTraffic, 0, offset, model, EventEnvelopes.Wrap(new TrafficPolicyChanged { Model = model, CanaryPercent = percent, Shadow = shadow, Revision = revision }, model, "cascade-registry").ToByteArray(), DateTimeOffset.UtcNow);

    [Fact]
    public async Task A_copy_or_an_older_change_arriving_late_never_undoes_a_newer_policy()
    {
        var policies = new TrafficPolicies();
        var follower = new TrafficPolicyFollower(policies, NullLogger<TrafficPolicyFollower>.Instance);

        await follower.HandleAsync([Changed(0, "m", 20, false, revision: 7), Changed(1, "other", 5, true, revision: 8)], CancellationToken.None);
        await follower.HandleAsync([Changed(2, "m", 20, false, revision: 7), Changed(3, "m", 90, true, revision: 3)], CancellationToken.None);

        policies.For("m").Should().Be(new TrafficPolicy(20, false));
        policies.RevisionOf("m").Should().Be(7);
        policies.For("other").Should().Be(new TrafficPolicy(5, true));
        policies.For("never-set").Should().Be(TrafficPolicy.ChampionOnly);
    }

    [Fact]
    public async Task Waiting_for_a_revision_completes_only_once_it_or_a_later_one_is_applied()
    {
        var policies = new TrafficPolicies();
        policies.Apply("m", new TrafficPolicy(10, false), revision: 4);
        var waiting = policies.WaitForAsync("m", 6, CancellationToken.None);

        policies.Apply("other", new TrafficPolicy(50, false), revision: 5);
        policies.Apply("m", new TrafficPolicy(15, false), revision: 5);
        waiting.IsCompleted.Should().BeFalse("revision 6 of m is not applied yet");

        policies.Apply("m", new TrafficPolicy(30, true), revision: 9);
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        await policies.WaitForAsync("m", 2, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Waiting_ends_with_the_callers_cancellation()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var wait = () => new TrafficPolicies().WaitForAsync("m", 1, cancel.Token);
        await wait.Should().ThrowAsync<OperationCanceledException>();
    }
}
