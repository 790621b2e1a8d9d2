using System.Diagnostics;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Registry.V1;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Embedded;
using Cascade.Registry.Domain;
using Cascade.Registry.Messaging;
using Cascade.Registry.Options;
using Cascade.Registry.Storage;
using Cascade.Storage.Artifacts;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cascade.Registry.Tests.Messaging;

/// <summary>
/// The registry's outbox on its real stores (SQLite metadata, local artifacts, embedded event log behind a
/// <see cref="ScriptedEventLog"/>): no change is kept without its event reaching the log, in order, whatever fails.
/// </summary>
public sealed class RegistryOutboxTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);
    private static readonly string[] RegistryTopics = [Topics.ModelsTrained, Topics.ModelsPromoted, Topics.ModelsRolledBack, Topics.ModelsChallenger];
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-registry-outbox-").FullName;
    private readonly List<IAsyncDisposable> _running = [];
    private LocalArtifactStore _artifacts = null!;
    private SqliteEventLog _log = null!;

    public Task InitializeAsync()
    {
        _artifacts = new LocalArtifactStore(Path.Combine(_data, "artifacts"));
        _log = new SqliteEventLog(new EmbeddedEventLogOptions { Path = Path.Combine(_data, "events.db") });
        return Task.CompletedTask;
    }

    /// <summary>A registry process over the test's database: store, relay (started or not) and domain.</summary>
    private sealed class Process(SqliteRegistryStore store, RegistryOutbox outbox, ModelRegistry registry, bool started) : IAsyncDisposable
    {
        public SqliteRegistryStore Store => store;
        public RegistryOutbox Outbox => outbox;
        public ModelRegistry Registry => registry;

        /// <summary>Stops the relay and closes the store, as a crash or a stopped host leaves them.</summary>
        public async ValueTask DisposeAsync()
        {
            if (started) await outbox.StopAsync(CancellationToken.None);
            outbox.Dispose();
            store.Dispose();
        }
    }

    private async Task<Process> StartProcess(IEventLog log, bool startRelay = true)
    {
        var store = new SqliteRegistryStore(Path.Combine(_data, "registry.db"));
        var outbox = new RegistryOutbox(store, log, NullLogger<RegistryOutbox>.Instance);
        var registry = new ModelRegistry(store, _artifacts, new PromotionGate(new PromotionGateOptions { Margin = 0.01, BinaryAucFloor = 0.6 }), outbox);
        if (startRelay) await outbox.StartAsync(CancellationToken.None);
        var process = new Process(store, outbox, registry, startRelay);
        _running.Add(process);
        return process;
    }

    private async Task StopProcess(Process process)
    {
        _running.Remove(process);
        await process.DisposeAsync();
    }

    private async Task<ModelVersionSpec> Spec(string job, double auc, int championVersion = 0, double championAuc = 0)
    {
        var artifact = await _artifacts.PutAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes("model of " + job)));
        var spec = new ModelVersionSpec
        {
            Model = "churn",
            ArtifactSha256 = artifact.Sha256,
            ArtifactUri = artifact.Uri,
            Objective = "binary:logistic",
            FeatureNames = { "a", "b" },
            Lineage = new Lineage { TrainingJobId = job, Dataset = "d", CodeVersion = "abc123" },
            Holdout = new HoldoutEvaluation { HoldoutFingerprint = "h", CandidateMetrics = { ["auc"] = auc }, ChampionVersion = championVersion },
        };
        if (championVersion != 0) spec.Holdout.ChampionMetrics["auc"] = championAuc;
        return spec;
    }

    /// <summary>Every registry event on the real log, read to the end by a fresh consumer group.</summary>
    private async Task<List<EventEnvelope>> EventsOnTheLog()
    {
        await using var consumer = _log.Subscribe(new ConsumerOptions($"t-{Guid.NewGuid():N}", RegistryTopics));
        var envelopes = new List<EventEnvelope>();
        while (true)
        {
            var records = await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(300));
            if (records.Count == 0) return envelopes;
            envelopes.AddRange(records.Select(r => EventEnvelope.Parser.ParseFrom(r.Value.Span)));
        }
    }

    [Fact]
    public async Task A_promotion_committed_before_a_crash_is_published_after_the_restart_exactly_once_with_its_event_id()
    {
        var log = new ScriptedEventLog(_log);
        var first = await StartProcess(log);
        await first.Registry.RegisterAsync(await Spec("job-1", 0.80), "worker", CancellationToken.None);
        await first.Registry.RegisterAsync(await Spec("job-2", 0.70, championVersion: 1, championAuc: 0.80), "worker", CancellationToken.None);
        await Eventually.WaitUntilAsync(() => first.Store.PendingEvents(10).Count == 0, "the log works: v1's events go out", Deadline);

        // The log goes away; the promotion still commits (the alias moves) and its answer comes back.
        log.Down = true;
        var promotion = await first.Registry.PromoteAsync("churn", 2, "bob", "business decision", force: true, CancellationToken.None);
        promotion.ToVersion.Should().Be(2);
        first.Store.ResolveAlias("churn", Aliases.Champion).Should().Be(2);
        await Eventually.WaitUntilAsync(() => log.Failures > 0, "the relay tries at once and fails", Deadline);
        var promotedId = first.Store.PendingEvents(10).Should().ContainSingle().Subject.EventId;
        log.Attempted.Should().Contain(promotedId);
        await StopProcess(first); // the crash: the alias has moved, the log never had the event

        var second = await StartProcess(new ScriptedEventLog(_log));
        await Eventually.WaitUntilAsync(() => second.Store.PendingEvents(10).Count == 0, "the relay runs at start and publishes what the crash left behind", Deadline);
        await StopProcess(second);
        var third = await StartProcess(new ScriptedEventLog(_log), startRelay: false);
        (await third.Outbox.PublishPendingAsync()).Should().Be(0, "a published event left the outbox");

        var promoted = (await EventsOnTheLog()).Where(e => e.Type == ModelPromoted.Descriptor.FullName).ToList();
        promoted.Select(e => EventEnvelopes.Unwrap(e, ModelPromoted.Parser).Version).Should().Equal(1, 2);
        promoted.Select(e => e.EventId).Should().OnlyHaveUniqueItems();
        promoted[1].EventId.Should().Be(promotedId, "the event published after the restart is the one the crash interrupted");
        var audit = third.Store.Audit("churn", 0);
        promotedId.Should().Be(RegistryEvent.EventId("churn", audit.Single(a => a.Action == "PromotedManually").Sequence), "an event id names its audit entry");
    }

    [Fact]
    public async Task The_relay_publishes_in_commit_order_and_retries_until_the_log_takes_the_events()
    {
        var log = new ScriptedEventLog(_log);
        log.FailNext(3);
        var process = await StartProcess(log);
        await process.Registry.RegisterAsync(await Spec("job-1", 0.80), "worker", CancellationToken.None);
        await process.Registry.RegisterAsync(await Spec("job-2", 0.90, championVersion: 1, championAuc: 0.80), "worker", CancellationToken.None);
        await process.Registry.RollbackAsync("churn", 0, "alice", "v2 misbehaves", CancellationToken.None);
        await process.Registry.RegisterAsync(await Spec("job-3", 0.805, championVersion: 1, championAuc: 0.80), "worker", CancellationToken.None);

        await Eventually.WaitUntilAsync(() => process.Store.PendingEvents(10).Count == 0, "the relay retries with backoff until the log takes everything", Deadline);

        log.Failures.Should().Be(3);
        var events = await EventsOnTheLog();
        events.Should().HaveCount(7, "each event once: the refused appends stored nothing");
        var byId = events.ToDictionary(e => e.EventId);
        log.Stored.Select(id => byId[id].Type.Split('.')[^1]).Should().Equal(
            "ModelTrained", "ModelPromoted", "ModelTrained", "ModelPromoted", "ModelRolledBack", "ModelTrained", "ChallengerSet");
        var audited = process.Store.Audit("churn", 0).Select(a => RegistryEvent.EventId("churn", a.Sequence));
        log.Stored.Should().Equal(audited, "the log has the events in the order their changes were audited");
    }

    [Fact]
    public async Task An_event_whose_acknowledgement_was_lost_is_sent_again_with_the_same_event_id()
    {
        var log = new ScriptedEventLog(_log);
        var process = await StartProcess(log, startRelay: false);
        await process.Registry.RegisterAsync(await Spec("job-1", 0.80), "worker", CancellationToken.None);
        log.LoseAckNext(1);

        var lost = () => process.Outbox.PublishPendingAsync();
        await lost.Should().ThrowAsync<EventLogException>();
        (await process.Outbox.PublishPendingAsync()).Should().Be(2);

        var stored = log.Stored;
        stored.Should().HaveCount(3);
        stored[1].Should().Be(stored[0], "the re-sent ModelTrained carries its first id, so consumers drop the copy");
        (await EventsOnTheLog()).Select(e => e.EventId).Distinct().Should().HaveCount(2);
    }

    [Fact]
    public async Task A_promotion_reaches_the_log_moments_after_the_commit_not_at_the_next_poll()
    {
        var log = new ScriptedEventLog(_log);
        var process = await StartProcess(log);
        await Task.Yield();

        var clock = Stopwatch.StartNew();
        await process.Registry.RegisterAsync(await Spec("job-1", 0.80), "worker", CancellationToken.None);
        await Eventually.WaitUntilAsync(() => log.Stored.Count == 2, "the commit wakes the relay", TimeSpan.FromSeconds(5));
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2), "the relay's poll (5 s) is only a safety net");
    }

    [Fact]
    public async Task A_change_that_does_not_commit_leaves_no_event_and_a_rejection_announces_only_the_registration()
    {
        var process = await StartProcess(new ScriptedEventLog(_log), startRelay: false);
        await process.Registry.RegisterAsync(await Spec("job-1", 0.55), "worker", CancellationToken.None);
        process.Store.PendingEvents(10).Select(e => e.Topic).Should().Equal(Topics.ModelsTrained);

        var stale = new RegistryEvent(Topics.ModelsPromoted, "churn", new ModelPromoted { Model = "churn", Version = 1 });
        process.Store.MoveAlias("churn", Aliases.Champion, expectedCurrent: 7, to: 1, new AuditEntry { Actor = "x", Action = "Promoted", Model = "churn", ToVersion = 1 }, stale).Should().BeFalse();
        process.Store.PendingEvents(10).Should().HaveCount(1);
    }

    [Fact]
    public async Task One_relay_at_a_time_holds_the_outbox()
    {
        var process = await StartProcess(new ScriptedEventLog(_log), startRelay: false);
        using (var lease = process.Store.TryLeaseOutbox())
        {
            lease.Should().NotBeNull();
            process.Store.TryLeaseOutbox().Should().BeNull();
            (await process.Outbox.PublishPendingAsync()).Should().BeNull("another relay is at work");
        }
        using var again = process.Store.TryLeaseOutbox();
        again.Should().NotBeNull("a lease ends when it is disposed");
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _running.ToArray()) await process.DisposeAsync();
        await _log.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
