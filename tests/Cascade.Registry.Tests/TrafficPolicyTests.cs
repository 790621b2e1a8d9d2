using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Registry.V1;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Embedded;
using Cascade.Registry.Domain;
using Cascade.Registry.Grpc;
using Cascade.Registry.Messaging;
using Cascade.Registry.Options;
using Cascade.Registry.Storage;
using Cascade.Storage.Artifacts;
using Grpc.Core;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cascade.Registry.Tests;

/// <summary>
/// Traffic policies kept by the registry: stored with the model on the SQLite store (surviving a reopen and the
/// migration of a database made before they existed), audited with actor and reason, announced through the outbox,
/// and refused with clear messages when the share or the model is wrong.
/// </summary>
public sealed class TrafficPolicyTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-registry-traffic-").FullName;
    private SqliteRegistryStore _store = null!;
    private SqliteEventLog _log = null!;
    private RegistryOutbox _outbox = null!;
    private ModelRegistry _registry = null!;

    private string DatabasePath => Path.Combine(_data, "registry.db");

    public Task InitializeAsync()
    {
        _store = new SqliteRegistryStore(DatabasePath);
        _log = new SqliteEventLog(new EmbeddedEventLogOptions { Path = Path.Combine(_data, "events.db") });
        // The relay is not started: tests relay the outbox themselves when they read the log.
        _outbox = new RegistryOutbox(_store, _log, NullLogger<RegistryOutbox>.Instance);
        _registry = new ModelRegistry(_store, new LocalArtifactStore(Path.Combine(_data, "artifacts")), new PromotionGate(new PromotionGateOptions()), _outbox);
        return Task.CompletedTask;
    }

    [Fact]
    public void A_policy_is_stored_with_its_model_and_survives_a_reopen()
    {
        _store.EnsureModel("churn", TaskType.BinaryClassification);
        _store.GetModel("churn")!.TrafficPolicy.Should().Be(new TrafficPolicy(), "champion only until one is set");

        var stored = _registry.SetTrafficPolicy("churn", 12.5, shadow: true, "alice", "try the retrain on a slice");
        stored.TrafficPolicy.CanaryPercent.Should().Be(12.5);
        stored.TrafficPolicy.Shadow.Should().BeTrue();
        stored.TrafficPolicy.Revision.Should().BePositive();

        _store.Dispose();
        _store = new SqliteRegistryStore(DatabasePath);
        _store.GetModel("churn")!.TrafficPolicy.Should().Be(stored.TrafficPolicy);
        _store.ListModels().Single().TrafficPolicy.Should().Be(stored.TrafficPolicy);
    }

    [Fact]
    public void Each_change_is_audited_with_actor_reason_and_both_policies_and_its_revision_is_its_audit_sequence()
    {
        _store.EnsureModel("churn", TaskType.BinaryClassification);
        _registry.SetTrafficPolicy("churn", 10, shadow: false, "alice", "canary");
        var second = _registry.SetTrafficPolicy("churn", 0, shadow: true, "bob (via serving)", "shadow only");

        var audit = _store.Audit("churn", 0).Where(a => a.Action == "TrafficPolicyChanged").ToArray();
        audit.Select(a => (a.Actor, a.Reason)).Should().Equal(("alice", "canary"), ("bob (via serving)", "shadow only"));
        audit[1].Sequence.Should().Be(second.TrafficPolicy.Revision);
        audit[1].EvidenceJson.Should().Be("""{"from":{"canary_percent":10,"shadow":false},"to":{"canary_percent":0,"shadow":true}}""");
    }

    [Fact]
    public async Task Each_change_is_announced_on_the_traffic_topic_through_the_outbox()
    {
        _store.EnsureModel("churn", TaskType.BinaryClassification);
        var first = _registry.SetTrafficPolicy("churn", 10, shadow: false, "alice", "canary");
        var second = _registry.SetTrafficPolicy("churn", 25, shadow: true, "alice", "more");
        _store.PendingEvents(10).Select(e => e.Topic).Should().Equal(Topics.ModelsTraffic, Topics.ModelsTraffic);

        await _outbox.PublishPendingAsync();
        await using var consumer = _log.Subscribe(new ConsumerOptions($"t-{Guid.NewGuid():N}", [Topics.ModelsTraffic]));
        var announced = (await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(500)))
            .Select(r => EventEnvelopes.Unwrap(EventEnvelope.Parser.ParseFrom(r.Value.Span), TrafficPolicyChanged.Parser)).ToArray();
        announced.Should().BeEquivalentTo(new[]
        {
            new TrafficPolicyChanged { Model = "churn", CanaryPercent = 10, Revision = first.TrafficPolicy.Revision, Actor = "alice", Reason = "canary" },
            new TrafficPolicyChanged { Model = "churn", CanaryPercent = 25, Shadow = true, Revision = second.TrafficPolicy.Revision, Actor = "alice", Reason = "more" },
        }, o => o.WithStrictOrdering());
        _store.PendingEvents(10).Should().BeEmpty();
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(100.5)]
    [InlineData(double.NaN)]
    public void A_share_outside_0_to_100_is_refused_and_nothing_is_written(double percent)
    {
        _store.EnsureModel("churn", TaskType.BinaryClassification);
        var act = () => _registry.SetTrafficPolicy("churn", percent, shadow: false, "alice", "");
        act.Should().Throw<ArgumentException>().WithMessage("canary_percent must be between 0 and 100*");
        _store.Audit("churn", 0).Should().BeEmpty();
        _store.PendingEvents(10).Should().BeEmpty();
    }

    [Fact]
    public void An_unknown_model_is_refused_as_not_found()
    {
        var act = () => _registry.SetTrafficPolicy("nope", 10, shadow: false, "alice", "");
        act.Should().Throw<KeyNotFoundException>().WithMessage("Model 'nope' does not exist in the registry.");
        _store.SetTrafficPolicy("nope", new TrafficPolicy { CanaryPercent = 10 }, new AuditEntry { Model = "nope" }, _ => throw new InvalidOperationException("nothing to announce")).Should().BeNull();
        _store.PendingEvents(10).Should().BeEmpty();
    }

    [Fact]
    public async Task The_in_process_client_reaches_the_registry_with_the_same_statuses_as_the_grpc_service()
    {
        _store.EnsureModel("churn", TaskType.BinaryClassification);
        var client = new Contracts.Registry.V1.Registry.RegistryClient(new InProcessRegistryInvoker(_registry));

        var stored = await client.SetTrafficPolicyAsync(new SetTrafficPolicyRequest { Model = "churn", CanaryPercent = 30, Actor = "alice", Reason = "in-process" });
        stored.TrafficPolicy.CanaryPercent.Should().Be(30);
        _store.Audit("churn", 0).Single().Actor.Should().Be("alice");

        var tooMuch = async () => await client.SetTrafficPolicyAsync(new SetTrafficPolicyRequest { Model = "churn", CanaryPercent = 150 });
        (await tooMuch.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.InvalidArgument);
        var unknown = async () => await client.SetTrafficPolicyAsync(new SetTrafficPolicyRequest { Model = "nope" });
        (await unknown.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.NotFound);
        var other = async () => await client.GetModelAsync(new GetModelRequest { Name = "churn" });
        (await other.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Unimplemented);
    }

    [Fact]
    public void A_database_made_before_traffic_policies_is_migrated_and_keeps_its_models()
    {
        _store.Dispose();
        var old = Path.Combine(_data, "old.db");
        // What a store of the previous schema (3 migrations) holds: a model, and no traffic columns.
        using (var connection = new SqliteConnection($"Data Source={old}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);
                CREATE TABLE models (name TEXT PRIMARY KEY, description TEXT NOT NULL, task INTEGER NOT NULL, created_at INTEGER NOT NULL);
                CREATE TABLE versions (model TEXT NOT NULL, version INTEGER NOT NULL, spec BLOB NOT NULL, status INTEGER NOT NULL,
                  created_at INTEGER NOT NULL, registered_by TEXT NOT NULL, job_id TEXT NOT NULL, artifact_collected_at INTEGER NULL, PRIMARY KEY (model, version));
                CREATE TABLE aliases (model TEXT NOT NULL, alias TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (model, alias));
                CREATE TABLE audit (sequence INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
                  model TEXT NOT NULL, from_version INTEGER NOT NULL, to_version INTEGER NOT NULL, reason TEXT NOT NULL, evidence TEXT NOT NULL);
                CREATE TABLE outbox (sequence INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE, topic TEXT NOT NULL, key TEXT NOT NULL,
                  envelope BLOB NOT NULL, created_at INTEGER NOT NULL);
                INSERT INTO schema_migrations VALUES (1, 0), (2, 0), (3, 0);
                INSERT INTO models VALUES ('churn', 'before', 1, 0);
                """;
            command.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();

        _store = new SqliteRegistryStore(old);
        _store.SchemaVersion.Should().Be(4);
        _store.GetModel("churn")!.Description.Should().Be("before");
        _store.GetModel("churn")!.TrafficPolicy.Should().Be(new TrafficPolicy());
        _registry = new ModelRegistry(_store, new LocalArtifactStore(Path.Combine(_data, "artifacts")), new PromotionGate(new PromotionGateOptions()), _outbox);
        _registry.SetTrafficPolicy("churn", 5, shadow: false, "alice", "after the upgrade").TrafficPolicy.CanaryPercent.Should().Be(5);
    }

    public async Task DisposeAsync()
    {
        _store.Dispose();
        await _log.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }
}
