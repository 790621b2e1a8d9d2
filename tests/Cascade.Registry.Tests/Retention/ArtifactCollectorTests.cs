using System.Text;
using Cascade.Contracts.Registry.V1;
using Cascade.EventLog.Embedded;
using Cascade.Registry.Domain;
using Cascade.Registry.Grpc;
using Cascade.Registry.Messaging;
using Cascade.Registry.Options;
using Cascade.Registry.Retention;
using Cascade.Registry.Storage;
using Cascade.Storage.Artifacts;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cascade.Registry.Tests.Retention;

/// <summary>The collector on the real embedded stores (SQLite registry, local artifacts) in a temporary directory, a month in the future.</summary>
public sealed class ArtifactCollectorTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-retention-").FullName;
    private SqliteRegistryStore _store = null!;
    private LocalArtifactStore _artifacts = null!;
    private SqliteEventLog _log = null!;
    private ModelRegistry _registry = null!;
    private ArtifactCollector _collector = null!;

    public Task InitializeAsync()
    {
        _store = new SqliteRegistryStore(Path.Combine(_data, "registry.db"));
        _artifacts = new LocalArtifactStore(Path.Combine(_data, "artifacts"));
        _log = new SqliteEventLog(new EmbeddedEventLogOptions { Path = Path.Combine(_data, "events.db") });
        var outbox = new RegistryOutbox(_store, _log, NullLogger<RegistryOutbox>.Instance);
        _registry = new ModelRegistry(_store, _artifacts, new PromotionGate(new PromotionGateOptions { Margin = 0.01, BinaryAucFloor = 0.6 }), outbox);
        // Every version is a month old by the collector's clock: only the newest-N rule, aliases and sharing keep them.
        _collector = new ArtifactCollector(_store, _artifacts, new RetentionOptions { KeepNewest = 2, KeepYoungerThan = TimeSpan.FromDays(7), Interval = TimeSpan.Zero },
            new ShiftedClock(TimeSpan.FromDays(30)), NullLogger<ArtifactCollector>.Instance);
        return Task.CompletedTask;
    }

    private async Task<ModelVersion> Register(string job, double auc, string content)
    {
        var artifact = await _artifacts.PutAsync(new MemoryStream(Encoding.UTF8.GetBytes(content)));
        var spec = new ModelVersionSpec
        {
            Model = "churn", ArtifactSha256 = artifact.Sha256, ArtifactUri = artifact.Uri, Objective = "binary:logistic", FeatureNames = { "a", "b" },
            Lineage = new Lineage { TrainingJobId = job, Dataset = "d", CodeVersion = "abc123" },
            Holdout = new HoldoutEvaluation { HoldoutFingerprint = "h", CandidateMetrics = { ["auc"] = auc } },
        };
        var champion = _store.ResolveAlias("churn", Aliases.Champion);
        if (champion != 0)
        {
            spec.Holdout.ChampionVersion = champion;
            spec.Holdout.ChampionMetrics["auc"] = 0.8;
        }
        return (await _registry.RegisterAsync(spec, "worker", CancellationToken.None)).Version;
    }

    /// <summary>v1 champion, v2 challenger, v3 rejected (collected), v4 rejected sharing its artifact with v6, v5 and v6 the newest two.</summary>
    private async Task<ModelVersion[]> History() =>
    [
        await Register("job-1", 0.80, "a"),
        await Register("job-2", 0.805, "b"),
        await Register("job-3", 0.50, "c"),
        await Register("job-4", 0.50, "d"),
        await Register("job-5", 0.50, "e"),
        await Register("job-6", 0.50, "d"),
    ];

    [Fact]
    public async Task A_version_outside_the_policy_loses_its_blob_is_marked_and_audited_and_nothing_kept_is_touched()
    {
        var versions = await History();
        versions[0].Meta.Aliases.Should().Equal("champion");
        versions[1].Meta.Aliases.Should().Equal("challenger");

        var report = await _collector.CollectAsync();

        report.Collected.Select(d => d.Version).Should().Equal(3);
        report.DeletedArtifacts.Should().Equal(versions[2].Spec.ArtifactSha256);
        (await _artifacts.ExistsAsync(versions[2].Spec.ArtifactSha256)).Should().BeFalse();
        foreach (var kept in versions.Where(v => v.Meta.Version != 3))
        {
            (await _artifacts.ExistsAsync(kept.Spec.ArtifactSha256)).Should().BeTrue($"v{kept.Meta.Version} is kept");
            _store.GetVersion("churn", kept.Meta.Version)!.Meta.ArtifactCollectedAt.Should().BeNull();
        }
        _store.GetVersion("churn", 3)!.Meta.ArtifactCollectedAt.Should().NotBeNull();
        var audit = _store.Audit("churn", 0).Where(a => a.Action == "ArtifactCollected").Should().ContainSingle().Subject;
        audit.Actor.Should().Be("retention");
        audit.ToVersion.Should().Be(3);
        audit.Reason.Should().Contain("newest 2 versions");
        audit.EvidenceJson.Should().Contain(versions[2].Spec.ArtifactSha256);

        var again = await _collector.CollectAsync();
        again.Collected.Should().BeEmpty();
        again.DeletedArtifacts.Should().BeEmpty();
        _store.Audit("churn", 0).Count(a => a.Action == "ArtifactCollected").Should().Be(1, "a second pass audits nothing new");
    }

    [Fact]
    public async Task Promoting_or_rolling_back_to_a_collected_version_is_refused_with_failed_precondition()
    {
        await History();
        await _collector.CollectAsync();
        var service = new RegistryGrpcService(_registry, _store, _artifacts);

        var promote = () => service.PromoteModelVersion(new PromoteModelVersionRequest { Model = "churn", Version = 3, Force = true, Actor = "ops", Reason = "bring it back" }, new TestServerCallContext());
        var rollback = () => service.RollbackModel(new RollbackModelRequest { Model = "churn", ToVersion = 3, Actor = "ops", Reason = "bring it back" }, new TestServerCallContext());

        (await promote.Should().ThrowAsync<RpcException>()).Which.Status.Should().Match<Status>(s => s.StatusCode == StatusCode.FailedPrecondition && s.Detail.Contains("artifact was collected"));
        (await rollback.Should().ThrowAsync<RpcException>()).Which.Status.StatusCode.Should().Be(StatusCode.FailedPrecondition);
        _store.ResolveAlias("churn", Aliases.Champion).Should().Be(1);
        var shown = await service.GetModelVersion(new GetModelVersionRequest { Model = "churn", Version = 3 }, new TestServerCallContext());
        shown.Meta.ArtifactCollectedAt.Should().NotBeNull();
        // The store refuses too, so a promotion racing the collector cannot slip past the domain's check.
        var move = () => _store.MoveAlias("churn", Aliases.Challenger, 2, 3, new AuditEntry { Actor = "ops", Action = "ChallengerSet", Model = "churn", ToVersion = 3 });
        move.Should().Throw<InvalidOperationException>().WithMessage("*collected*");
    }

    [Fact]
    public async Task A_crash_between_the_decision_and_the_delete_is_finished_by_the_next_pass()
    {
        var versions = await History();
        // The decision of a pass that died before deleting: marked and audited, blob still there.
        _store.MarkArtifactCollected("churn", 3, new AuditEntry { Actor = "retention", Action = "ArtifactCollected", Model = "churn", ToVersion = 3, Reason = "test" }).Should().BeTrue();
        (await _artifacts.ExistsAsync(versions[2].Spec.ArtifactSha256)).Should().BeTrue();

        var report = await _collector.CollectAsync();

        report.Collected.Should().BeEmpty("v3 was decided already");
        report.DeletedArtifacts.Should().Equal(versions[2].Spec.ArtifactSha256);
        (await _artifacts.ExistsAsync(versions[2].Spec.ArtifactSha256)).Should().BeFalse();
        _store.Audit("churn", 0).Count(a => a.Action == "ArtifactCollected").Should().Be(1);
    }

    [Fact]
    public async Task A_version_that_became_champion_or_challenger_since_the_decision_is_not_marked()
    {
        await History();

        _store.MarkArtifactCollected("churn", 1, new AuditEntry { Actor = "retention", Action = "ArtifactCollected", Model = "churn", ToVersion = 1 }).Should().BeFalse();
        _store.MarkArtifactCollected("churn", 2, new AuditEntry { Actor = "retention", Action = "ArtifactCollected", Model = "churn", ToVersion = 2 }).Should().BeFalse();
        _store.Audit("churn", 0).Should().NotContain(a => a.Action == "ArtifactCollected");
    }

    [Fact]
    public async Task A_dry_run_reports_the_decision_and_writes_nothing()
    {
        var versions = await History();

        var report = await _collector.CollectAsync(dryRun: true);

        report.DryRun.Should().BeTrue();
        report.Collected.Select(d => d.Version).Should().Equal(3);
        (await _artifacts.ExistsAsync(versions[2].Spec.ArtifactSha256)).Should().BeTrue();
        _store.GetVersion("churn", 3)!.Meta.ArtifactCollectedAt.Should().BeNull();
        _store.Audit("churn", 0).Should().NotContain(a => a.Action == "ArtifactCollected");
    }

    public async Task DisposeAsync()
    {
        _store.Dispose();
        await _log.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    private sealed class ShiftedClock(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
    }
}
