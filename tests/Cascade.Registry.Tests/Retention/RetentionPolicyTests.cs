using Cascade.Contracts.Registry.V1;
using Cascade.Registry.Options;
using Cascade.Registry.Retention;
using Google.Protobuf.WellKnownTypes;

namespace Cascade.Registry.Tests.Retention;

/// <summary>Which versions the retention policy collects (no I/O: versions are built in memory, the clock is fixed).</summary>
public sealed class RetentionPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static ModelVersion Version(int number, int ageDays, string artifact, VersionStatus status = VersionStatus.Archived, string model = "churn", params string[] aliases) => new()
    {
        Spec = new ModelVersionSpec { Model = model, ArtifactSha256 = artifact.PadLeft(64, '0') },
        Meta = new ModelVersionMeta { Version = number, Status = status, CreatedAt = Timestamp.FromDateTimeOffset(Now.AddDays(-ageDays)), Aliases = { aliases } },
    };

    private static (Model, IReadOnlyList<ModelVersion>) Model(string name, params ModelVersion[] versions) => (new Model
    {
        Name = name,
        LatestVersion = versions.Max(v => v.Meta.Version),
        ChampionVersion = versions.FirstOrDefault(v => v.Meta.Aliases.Contains("champion"))?.Meta.Version ?? 0,
        ChallengerVersion = versions.FirstOrDefault(v => v.Meta.Aliases.Contains("challenger"))?.Meta.Version ?? 0,
    }, versions);

    private static RetentionPolicy Policy(int keepNewest = 2, int keepDays = 7) => new(new RetentionOptions { KeepNewest = keepNewest, KeepYoungerThan = TimeSpan.FromDays(keepDays) });

    private static int[] Collected(RetentionPolicy policy, params (Model, IReadOnlyList<ModelVersion>)[] models) =>
        policy.Decide(models, Now).Select(d => d.Version).ToArray();

    [Fact]
    public void Old_versions_beyond_the_newest_n_are_collected_and_the_newest_n_are_kept()
    {
        var model = Model("churn", Version(1, 90, "1"), Version(2, 80, "2"), Version(3, 70, "3"), Version(4, 60, "4"), Version(5, 50, "5"));

        Collected(Policy(keepNewest: 2), model).Should().Equal(1, 2, 3);
    }

    [Fact]
    public void Champion_and_challenger_are_never_collected_however_old()
    {
        var model = Model("churn",
            Version(1, 400, "1", VersionStatus.Champion, aliases: "champion"),
            Version(2, 300, "2", VersionStatus.Challenger, aliases: "challenger"),
            Version(3, 200, "3"), Version(4, 100, "4"), Version(5, 90, "5"));

        Collected(Policy(keepNewest: 1), model).Should().Equal(3, 4);
    }

    [Fact]
    public void Versions_younger_than_the_age_limit_are_kept_beyond_the_newest_n()
    {
        var model = Model("churn", Version(1, 30, "1"), Version(2, 6, "2"), Version(3, 1, "3"), Version(4, 0, "4"));

        Collected(Policy(keepNewest: 1, keepDays: 7), model).Should().Equal(1);
    }

    [Fact]
    public void An_artifact_that_a_kept_version_shares_is_never_collected_even_across_models()
    {
        var churn = Model("churn", Version(1, 90, "shared"), Version(2, 80, "own"), Version(3, 70, "3"), Version(4, 60, "4"));
        var fraud = Model("fraud", Version(1, 1, "x", model: "fraud"), Version(2, 1, "other-shared", model: "fraud"));
        var churnAlso = Model("churn", Version(1, 90, "shared"), Version(2, 80, "own"), Version(3, 70, "3"), Version(4, 60, "shared"));

        Collected(Policy(keepNewest: 2), churnAlso).Should().Equal(new[] { 2 }, "v1 shares its artifact with the kept v4");
        Collected(Policy(keepNewest: 2), churn, Model("fraud", Version(1, 1, "own", model: "fraud"))).Should().Equal(new[] { 1 },
            "v2's artifact is the same blob as a kept version of another model");
        Collected(Policy(keepNewest: 2), churn, fraud).Should().Equal(1, 2);
    }

    [Fact]
    public void Versions_collected_already_are_not_decided_again_and_their_blobs_are_orphaned_unless_a_kept_version_shares_them()
    {
        var collected = Version(1, 90, "1");
        collected.Meta.ArtifactCollectedAt = Timestamp.FromDateTimeOffset(Now.AddDays(-1));
        var collectedShared = Version(2, 90, "4");
        collectedShared.Meta.ArtifactCollectedAt = Timestamp.FromDateTimeOffset(Now.AddDays(-1));
        var model = Model("churn", collected, collectedShared, Version(3, 1, "3"), Version(4, 1, "4"));

        Collected(Policy(keepNewest: 1), model).Should().BeEmpty();
        RetentionPolicy.Orphaned(model.Item2).Should().Equal("1".PadLeft(64, '0'));
    }

    [Fact]
    public void The_reason_names_the_policy()
    {
        var decision = Policy(keepNewest: 1).Decide([Model("churn", Version(1, 90, "1"), Version(2, 80, "2"))], Now).Should().ContainSingle().Subject;

        decision.Reason.Should().Contain("newest 1 versions").And.Contain("7.00:00:00").And.Contain("champion");
        decision.Sha256.Should().Be("1".PadLeft(64, '0'));
    }
}
