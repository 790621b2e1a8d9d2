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
using Npgsql;

namespace Cascade.Infrastructure.Tests;

/// <summary>The registry's outbox on the PostgreSQL store (local server, a database per test) with the embedded event log.</summary>
public sealed class PostgresRegistryOutboxTests : IAsyncLifetime
{
    private readonly string _database = Servers.Unique("outbox").Replace('-', '_');
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-pg-outbox-").FullName;
    private string _connectionString = null!;
    private LocalArtifactStore _artifacts = null!;
    private SqliteEventLog _log = null!;

    public Task InitializeAsync()
    {
        using (var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={Servers.Postgres};Username=postgres;Database=postgres"))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE {_database}", connection);
            create.ExecuteNonQuery();
        }
        _connectionString = $"Host=127.0.0.1;Port={Servers.Postgres};Username=postgres;Database={_database}";
        _artifacts = new LocalArtifactStore(Path.Combine(_data, "artifacts"));
        _log = new SqliteEventLog(new EmbeddedEventLogOptions { Path = Path.Combine(_data, "events.db") });
        return Task.CompletedTask;
    }

    /// <summary>A log that refuses every append, as an unreachable broker does.</summary>
    private sealed class UnreachableLog(IEventLog inner) : IEventLog
    {
        public Task<IReadOnlyList<RecordPosition>> AppendAsync(string topic, IReadOnlyList<OutgoingRecord> records, CancellationToken cancellationToken = default) =>
            throw new EventLogException($"append to {topic} refused (broker unreachable)");

        public Task CreateTopicAsync(string topic, int partitions, CancellationToken cancellationToken = default) => inner.CreateTopicAsync(topic, partitions, cancellationToken);

        public Task<IReadOnlyDictionary<int, long>> GetEndOffsetsAsync(string topic, CancellationToken cancellationToken = default) => inner.GetEndOffsetsAsync(topic, cancellationToken);

        public IEventConsumer Subscribe(ConsumerOptions options) => inner.Subscribe(options);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>The embedded log, recording the event ids it stored in the order it stored them.</summary>
    private sealed class RecordingLog(IEventLog inner) : IEventLog
    {
        private readonly Lock _gate = new();
        private readonly List<string> _stored = [];

        public IReadOnlyList<string> Stored { get { lock (_gate) return _stored.ToArray(); } }

        public async Task<IReadOnlyList<RecordPosition>> AppendAsync(string topic, IReadOnlyList<OutgoingRecord> records, CancellationToken cancellationToken = default)
        {
            var positions = await inner.AppendAsync(topic, records, cancellationToken);
            lock (_gate) _stored.AddRange(records.Select(r => EventEnvelope.Parser.ParseFrom(r.Value.Span).EventId));
            return positions;
        }

        public Task CreateTopicAsync(string topic, int partitions, CancellationToken cancellationToken = default) => inner.CreateTopicAsync(topic, partitions, cancellationToken);

        public Task<IReadOnlyDictionary<int, long>> GetEndOffsetsAsync(string topic, CancellationToken cancellationToken = default) => inner.GetEndOffsetsAsync(topic, cancellationToken);

        public IEventConsumer Subscribe(ConsumerOptions options) => inner.Subscribe(options);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private (RegistryOutbox Outbox, ModelRegistry Registry) Registry(PostgresRegistryStore store, IEventLog log)
    {
        var outbox = new RegistryOutbox(store, log, NullLogger<RegistryOutbox>.Instance);
        return (outbox, new ModelRegistry(store, _artifacts, new PromotionGate(new PromotionGateOptions { Margin = 0.01, BinaryAucFloor = 0.6 }), outbox));
    }

    private async Task<ModelVersionSpec> Spec(string job, double auc)
    {
        var artifact = await _artifacts.PutAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes("model of " + job)));
        return new ModelVersionSpec
        {
            Model = "churn", ArtifactSha256 = artifact.Sha256, ArtifactUri = artifact.Uri, Objective = "binary:logistic", FeatureNames = { "a", "b" },
            Lineage = new Lineage { TrainingJobId = job, Dataset = "d", CodeVersion = "abc123" },
            Holdout = new HoldoutEvaluation { HoldoutFingerprint = "h", CandidateMetrics = { ["auc"] = auc } },
        };
    }

    private async Task<List<EventEnvelope>> EventsOnTheLog(params string[] topics)
    {
        await using var consumer = _log.Subscribe(new ConsumerOptions($"t-{Guid.NewGuid():N}", topics));
        var envelopes = new List<EventEnvelope>();
        while (true)
        {
            var records = await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(300));
            if (records.Count == 0) return envelopes;
            envelopes.AddRange(records.Select(r => EventEnvelope.Parser.ParseFrom(r.Value.Span)));
        }
    }

    [Fact]
    public async Task A_promotion_committed_while_the_log_is_down_is_published_once_by_the_next_replica_with_its_event_id()
    {
        string promotedId;
        using (var crashed = new PostgresRegistryStore(_connectionString))
        {
            var (outbox, registry) = Registry(crashed, new UnreachableLog(_log));
            var result = await registry.RegisterAsync(await Spec("job-1", 0.80), "worker", CancellationToken.None);
            result.Promoted.Should().BeTrue("the promotion commits although the log is down");
            crashed.ResolveAlias("churn", Aliases.Champion).Should().Be(1);
            var pending = crashed.PendingEvents(10);
            pending.Select(e => e.Topic).Should().Equal(Topics.ModelsTrained, Topics.ModelsPromoted);
            promotedId = pending[1].EventId;
            var relay = () => outbox.PublishPendingAsync();
            await relay.Should().ThrowAsync<EventLogException>();
            crashed.PendingEvents(10).Should().HaveCount(2, "nothing leaves the outbox before the log has it");
        } // the replica dies here

        using var next = new PostgresRegistryStore(_connectionString);
        next.SchemaVersion.Should().Be(5);
        var (nextOutbox, _) = Registry(next, _log);
        (await nextOutbox.PublishPendingAsync()).Should().Be(2);
        (await nextOutbox.PublishPendingAsync()).Should().Be(0);

        var promoted = (await EventsOnTheLog(Topics.ModelsPromoted)).Should().ContainSingle().Subject;
        promoted.EventId.Should().Be(promotedId);
        promoted.Producer.Should().Be(RegistryEvent.Producer);
        EventEnvelopes.Unwrap(promoted, ModelPromoted.Parser).Version.Should().Be(1);
        promotedId.Should().Be(RegistryEvent.EventId("churn", next.Audit("churn", 0).Single(a => a.Action == "Promoted").Sequence));
        (await EventsOnTheLog(Topics.ModelsTrained)).Should().ContainSingle();
    }

    [Fact]
    public async Task Only_one_replica_relays_at_a_time_and_a_lease_ends_with_its_holder()
    {
        using var a = new PostgresRegistryStore(_connectionString);
        using var b = new PostgresRegistryStore(_connectionString);
        var (relayB, _) = Registry(b, _log);
        using (var lease = a.TryLeaseOutbox())
        {
            lease.Should().NotBeNull();
            b.TryLeaseOutbox().Should().BeNull();
            (await relayB.PublishPendingAsync()).Should().BeNull("replica a is relaying");
        }
        using var taken = b.TryLeaseOutbox();
        taken.Should().NotBeNull();
    }

    [Fact]
    public async Task Two_replicas_relaying_at_once_publish_every_event_once_in_commit_order()
    {
        using var a = new PostgresRegistryStore(_connectionString);
        using var b = new PostgresRegistryStore(_connectionString);
        var log = new RecordingLog(_log);
        var (relayA, registryA) = Registry(a, log);
        var (relayB, registryB) = Registry(b, log);
        await relayA.StartAsync(CancellationToken.None);
        await relayB.StartAsync(CancellationToken.None);
        try
        {
            for (var i = 1; i <= 12; i++)
            {
                // Rising AUC: every other version beats the champion; the others become challengers.
                var spec = await Spec($"job-{i}", 0.70 + i * 0.01);
                spec.Holdout.ChampionVersion = a.ResolveAlias("churn", Aliases.Champion);
                if (spec.Holdout.ChampionVersion != 0) spec.Holdout.ChampionMetrics["auc"] = 0.70 + i * 0.01 - (i % 2 == 0 ? 0.05 : 0.001);
                await (i % 2 == 0 ? registryA : registryB).RegisterAsync(spec, "worker", CancellationToken.None);
            }
            var audited = a.Audit("churn", 0).Where(e => e.Action != "Rejected").Select(e => RegistryEvent.EventId("churn", e.Sequence)).ToArray();
            await Eventually.WaitUntilAsync(() => log.Stored.Count >= audited.Length, $"the log holds all {audited.Length} registry events", TimeSpan.FromSeconds(15));

            log.Stored.Should().Equal(audited, "each event once, in the order its change committed, whichever replica relayed it");
            // A relay deletes what it sent only after the log confirmed it: the last run may still be on its way out.
            await Eventually.WaitUntilAsync(() => a.PendingEvents(10).Count == 0, "the outbox is empty once the log confirmed every event", TimeSpan.FromSeconds(15));
        }
        finally
        {
            await relayA.StopAsync(CancellationToken.None);
            await relayB.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public void A_move_that_loses_the_race_writes_no_event()
    {
        using var store = new PostgresRegistryStore(_connectionString);
        store.EnsureModel("m", TaskType.BinaryClassification);
        store.AddVersion(new ModelVersionSpec { Model = "m", Objective = "binary:logistic", ArtifactSha256 = new string('a', 64) }, "w");
        var announce = new RegistryEvent(Topics.ModelsPromoted, "m", new ModelPromoted { Model = "m", Version = 1 });
        store.MoveAlias("m", Aliases.Champion, 5, 1, new AuditEntry { Actor = "a", Action = "Promoted", Model = "m", ToVersion = 1 }, announce).Should().BeFalse();
        store.PendingEvents(10).Should().BeEmpty();
        store.MoveAlias("m", Aliases.Champion, 0, 1, new AuditEntry { Actor = "a", Action = "Promoted", Model = "m", ToVersion = 1 }, announce).Should().BeTrue();
        store.PendingEvents(10).Should().ContainSingle().Which.Topic.Should().Be(Topics.ModelsPromoted);
    }

    public async Task DisposeAsync()
    {
        await _log.DisposeAsync();
        Directory.Delete(_data, recursive: true);
        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={Servers.Postgres};Username=postgres;Database=postgres");
        connection.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
        drop.ExecuteNonQuery();
    }
}
