using System.Text.Json;
using Cascade.Ml.Artifacts;
using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Profiles;
using Cascade.Monitoring.Tests.Fixtures;
using Cascade.Storage.Artifacts;

namespace Cascade.Monitoring.Tests.Profiles;

/// <summary>Reference profiles read from artifact archives in a real local store: present, declared absent, or missing although promised.</summary>
public sealed class ArtifactProfileLoaderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-profiles-").FullName;
    private readonly LocalArtifactStore _store;

    public ArtifactProfileLoaderTests() => _store = new LocalArtifactStore(Path.Combine(_root, "store"));

    private async Task<string> Store(string name, object manifest, ReferenceProfile? profile)
    {
        var directory = Path.Combine(_root, name);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, ArtifactFiles.Manifest), JsonSerializer.Serialize(manifest));
        if (profile is not null)
        {
            File.WriteAllBytes(Path.Combine(directory, ArtifactFiles.ReferenceProfile), JsonSerializer.SerializeToUtf8Bytes(profile));
        }
        return (await _store.PutAsync(new MemoryStream(ArtifactArchive.Pack(directory)))).Sha256;
    }

    [Fact]
    public async Task A_manifest_without_the_flag_reads_the_profile_as_before()
    {
        var sha = await Store("legacy", new { objective = "binary:logistic" }, SyntheticModel.Profile(new SyntheticModel.Scenario()));
        var version = await new ArtifactProfileLoader(_store).LoadAsync("churn", 1, sha, CancellationToken.None);
        version.Profile.Should().NotBeNull();
        version.Profile!.Features.Should().NotBeEmpty();
        version.Task.Should().Be(ModelTask.BinaryClassification);
    }

    [Fact]
    public async Task An_artifact_declaring_no_reference_profile_loads_with_none()
    {
        var sha = await Store("imported", new { objective = "reg:squarederror", has_reference_profile = false }, profile: null);
        var version = await new ArtifactProfileLoader(_store).LoadAsync("prices", 2, sha, CancellationToken.None);
        version.Profile.Should().BeNull();
        version.Task.Should().Be(ModelTask.Regression);
    }

    [Fact]
    public async Task An_artifact_that_promises_a_profile_it_lacks_still_fails()
    {
        var sha = await Store("broken", new { objective = "binary:logistic" }, profile: null);
        var act = () => new ArtifactProfileLoader(_store).LoadAsync("churn", 3, sha, CancellationToken.None);
        await act.Should().ThrowAsync<ArtifactException>().WithMessage("*reference_profile.json*");
    }

    [Fact]
    public async Task The_segment_column_the_training_policy_named_is_read_from_the_manifest()
    {
        var manifest = new { objective = "binary:logistic", monitoring = new { segment = new { column = "income", kind = "numeric", bins = new[] { 30_000.0, 60_000.0 }, max_segments = 6 } } };
        var sha = await Store("segmented", manifest, SyntheticModel.Profile(new SyntheticModel.Scenario()));

        var version = await new ArtifactProfileLoader(_store).LoadAsync("churn", 4, sha, CancellationToken.None);

        version.Segment.Should().BeEquivalentTo(new { Column = "income", Kind = ModelSegment.Numeric, Bins = new[] { 30_000.0, 60_000.0 }, MaxSegments = 6 });
        version.Segment!.BinNames.Should().Equal("< 30000", "[30000, 60000)", "≥ 60000", "(missing)");
    }

    [Fact]
    public async Task A_manifest_without_a_monitoring_block_has_no_segment_and_a_broken_one_fails()
    {
        var plain = await Store("plain", new { objective = "binary:logistic" }, SyntheticModel.Profile(new SyntheticModel.Scenario()));
        (await new ArtifactProfileLoader(_store).LoadAsync("churn", 5, plain, CancellationToken.None)).Segment.Should().BeNull();

        var broken = await Store("unordered", new { objective = "binary:logistic", monitoring = new { segment = new { column = "income", kind = "numeric", bins = new[] { 2.0, 1.0 } } } },
            SyntheticModel.Profile(new SyntheticModel.Scenario()));
        var act = () => new ArtifactProfileLoader(_store).LoadAsync("churn", 6, broken, CancellationToken.None);
        await act.Should().ThrowAsync<InvalidDataException>().WithMessage("*monitoring.segment*strictly increasing*");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
