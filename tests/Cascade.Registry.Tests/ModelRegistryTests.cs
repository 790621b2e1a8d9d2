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

namespace Cascade.Registry.Tests;

/// <summary>The registry's rules on its real stores (SQLite metadata, local artifacts, embedded event log) in a temporary directory.</summary>
public sealed class ModelRegistryTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-registry-").FullName;
    private SqliteRegistryStore _store = null!;
    private LocalArtifactStore _artifacts = null!;
    private SqliteEventLog _log = null!;
    private RegistryOutbox _outbox = null!;
    private ModelRegistry _registry = null!;

    public Task InitializeAsync()
    {
        _store = new SqliteRegistryStore(Path.Combine(_data, "registry.db"));
        _artifacts = new LocalArtifactStore(Path.Combine(_data, "artifacts"));
        _log = new SqliteEventLog(new EmbeddedEventLogOptions { Path = Path.Combine(_data, "events.db") });
        // The relay is not started: each test relays the outbox itself when it reads the log.
        _outbox = new RegistryOutbox(_store, _log, NullLogger<RegistryOutbox>.Instance);
        _registry = new ModelRegistry(_store, _artifacts, new PromotionGate(new PromotionGateOptions { Margin = 0.01, BinaryAucFloor = 0.6 }), _outbox);
        return Task.CompletedTask;
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

    private async Task<List<ModelPromoted>> PromotedEvents()
    {
        await _outbox.PublishPendingAsync();
        await using var consumer = _log.Subscribe(new ConsumerOptions($"t-{Guid.NewGuid():N}", [Topics.ModelsPromoted]));
        var records = await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(500));
        return records.Select(r => EventEnvelopes.Unwrap(EventEnvelope.Parser.ParseFrom(r.Value.Span), ModelPromoted.Parser)).ToList();
    }

    [Fact]
    public async Task A_first_version_above_the_floor_becomes_champion_and_is_announced()
    {
        var result = await _registry.RegisterAsync(await Spec("job-1", 0.8), "worker-1", CancellationToken.None);
        result.Promoted.Should().BeTrue();
        result.Version.Meta.Status.Should().Be(VersionStatus.Champion);
        result.Version.Meta.Aliases.Should().Equal("champion");
        var promoted = (await PromotedEvents()).Should().ContainSingle().Subject;
        promoted.Version.Should().Be(1);
        promoted.ArtifactSha256.Should().Be(result.Version.Spec.ArtifactSha256);
    }

    [Fact]
    public async Task A_first_version_below_the_floor_is_rejected()
    {
        var result = await _registry.RegisterAsync(await Spec("job-1", 0.55), "w", CancellationToken.None);
        result.Promoted.Should().BeFalse();
        result.Decision.Reason.Should().Contain("misses the floor");
        result.Version.Meta.Status.Should().Be(VersionStatus.Rejected);
    }

    [Fact]
    public async Task A_candidate_must_beat_the_champion_on_the_same_holdout_by_the_margin()
    {
        await _registry.RegisterAsync(await Spec("job-1", 0.80), "w", CancellationToken.None);
        var nearMiss = await _registry.RegisterAsync(await Spec("job-2", 0.805, championVersion: 1, championAuc: 0.80), "w", CancellationToken.None);
        nearMiss.Promoted.Should().BeFalse();
        nearMiss.Version.Meta.Aliases.Should().Equal("challenger");
        var better = await _registry.RegisterAsync(await Spec("job-3", 0.85, championVersion: 1, championAuc: 0.78), "w", CancellationToken.None);
        better.Promoted.Should().BeTrue();
        better.Decision.ChampionValue.Should().Be(0.78);
        _store.ResolveAlias("churn", Aliases.Champion).Should().Be(3);
        _store.GetVersion("churn", 1)!.Meta.Status.Should().Be(VersionStatus.Archived);
    }

    [Fact]
    public async Task A_comparison_against_a_former_champion_is_refused_as_stale()
    {
        await _registry.RegisterAsync(await Spec("job-1", 0.80), "w", CancellationToken.None);
        await _registry.RegisterAsync(await Spec("job-2", 0.90, championVersion: 1, championAuc: 0.80), "w", CancellationToken.None);
        var stale = await _registry.RegisterAsync(await Spec("job-3", 0.95, championVersion: 1, championAuc: 0.80), "w", CancellationToken.None);
        stale.Promoted.Should().BeFalse();
        stale.Decision.Reason.Should().Contain("stale comparison");
    }

    [Fact]
    public async Task Registering_the_same_training_job_twice_returns_the_first_version()
    {
        var spec = await Spec("job-1", 0.8);
        var first = await _registry.RegisterAsync(spec, "w", CancellationToken.None);
        var again = await _registry.RegisterAsync(spec, "w", CancellationToken.None);
        again.Version.Meta.Version.Should().Be(first.Version.Meta.Version);
        _store.ListVersions("churn").Should().HaveCount(1);
        (await PromotedEvents()).Should().HaveCount(1);
    }

    [Fact]
    public async Task Rollback_returns_to_the_previous_champion_and_every_step_is_audited_in_order()
    {
        await _registry.RegisterAsync(await Spec("job-1", 0.80), "worker", CancellationToken.None);
        await _registry.RegisterAsync(await Spec("job-2", 0.90, championVersion: 1, championAuc: 0.80), "worker", CancellationToken.None);
        var rollback = await _registry.RollbackAsync("churn", 0, "alice", "v2 misbehaves in production", CancellationToken.None);
        rollback.FromVersion.Should().Be(2);
        rollback.ToVersion.Should().Be(1);
        _store.ResolveAlias("churn", Aliases.Champion).Should().Be(1);

        var audit = _store.Audit("churn", 0);
        audit.Select(a => a.Action).Should().Equal("Registered", "Promoted", "Registered", "Promoted", "RolledBack");
        audit.Select(a => a.Sequence).Should().BeInAscendingOrder();
        audit[^1].Actor.Should().Be("alice");
        audit[^1].Reason.Should().Be("v2 misbehaves in production");
        audit[3].EvidenceJson.Should().Contain("auc");
    }

    [Fact]
    public async Task Rolling_back_the_first_champion_without_a_target_is_refused()
    {
        await _registry.RegisterAsync(await Spec("job-1", 0.80), "w", CancellationToken.None);
        var act = () => _registry.RollbackAsync("churn", 0, "alice", "why not", CancellationToken.None);
        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("*first champion*");
    }

    [Fact]
    public async Task A_manual_promotion_through_the_gate_is_refused_unless_forced_and_forced_ones_are_audited()
    {
        await _registry.RegisterAsync(await Spec("job-1", 0.80), "w", CancellationToken.None);
        await _registry.RegisterAsync(await Spec("job-2", 0.70, championVersion: 1, championAuc: 0.80), "w", CancellationToken.None);
        var refused = () => _registry.PromoteAsync("churn", 2, "bob", "try", force: false, CancellationToken.None);
        await refused.Should().ThrowAsync<InvalidOperationException>().WithMessage("*gate refuses*");
        var forced = await _registry.PromoteAsync("churn", 2, "bob", "business decision", force: true, CancellationToken.None);
        forced.ToVersion.Should().Be(2);
        _store.Audit("churn", 0)[^1].Action.Should().Be("PromotedManually");
    }

    [Fact]
    public async Task A_version_whose_artifact_is_not_stored_is_refused()
    {
        var spec = await Spec("job-1", 0.8);
        spec.ArtifactSha256 = new string('0', 64);
        var act = () => _registry.RegisterAsync(spec, "w", CancellationToken.None);
        await act.Should().ThrowAsync<ArtifactNotFoundException>();
    }

    [Fact]
    public async Task The_store_survives_a_reopen_and_applies_its_migrations_once()
    {
        await _registry.RegisterAsync(await Spec("job-1", 0.8), "w", CancellationToken.None);
        _store.Dispose();
        _store = new SqliteRegistryStore(Path.Combine(_data, "registry.db"));
        _store.SchemaVersion.Should().Be(4);
        _store.ResolveAlias("churn", Aliases.Champion).Should().Be(1);
        _store.GetModel("churn")!.Task.Should().Be(TaskType.BinaryClassification);
    }

    public async Task DisposeAsync()
    {
        _store.Dispose();
        await _log.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
