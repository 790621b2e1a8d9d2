using Cascade.Contracts.Registry.V1;
using Cascade.Registry.Domain;
using Cascade.Registry.Grpc;
using Cascade.Registry.Storage;

namespace Cascade.Registry.Tests;

/// <summary>
/// Paged version listings (found by the live fuzz campaign: a model with hundreds of multi-MiB versions made every
/// listing take longer than clients waited and exceed their message limit).
/// </summary>
public sealed class VersionPagesTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-pages-").FullName;
    private readonly SqliteRegistryStore _store;

    public VersionPagesTests() => _store = new SqliteRegistryStore(Path.Combine(_data, "registry.db"));

    public void Dispose()
    {
        _store.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    private void Register(int count, int featureNameBytes = 1)
    {
        _store.EnsureModel("churn", TaskType.BinaryClassification);
        for (var i = 0; i < count; i++)
        {
            var spec = new ModelVersionSpec
            {
                Model = "churn", ArtifactSha256 = new string('a', 64), Objective = "binary:logistic",
                FeatureNames = { new string('f', featureNameBytes) }, Lineage = new Lineage { TrainingJobId = $"job-{i}" },
            };
            _store.AddVersion(spec, "test");
        }
    }

    private List<int> ReadAll(int pageSize, out int pages)
    {
        var numbers = new List<int>();
        var request = new ListModelVersionsRequest { Model = "churn", PageSize = pageSize };
        pages = 0;
        while (true)
        {
            var page = VersionPages.Read(_store, request);
            pages++;
            numbers.AddRange(page.Versions.Select(v => v.Meta.Version));
            if (page.NextPageToken.Length == 0) return numbers;
            request.PageToken = page.NextPageToken;
        }
    }

    [Fact]
    public void Pages_return_every_version_once_oldest_first()
    {
        Register(250);

        ReadAll(pageSize: 0, out var defaultPages).Should().Equal(Enumerable.Range(1, 250));
        defaultPages.Should().Be(3, "the default page holds 100 versions");
        ReadAll(pageSize: 7, out var smallPages).Should().Equal(Enumerable.Range(1, 250));
        smallPages.Should().Be(36);
        ReadAll(pageSize: 250, out var onePage).Should().Equal(Enumerable.Range(1, 250));
        onePage.Should().Be(1, "a page that holds the last version says there is no next one");
    }

    [Fact]
    public void A_page_stops_before_two_mebibytes_whatever_size_was_asked()
    {
        Register(12, featureNameBytes: 400 * 1024);

        var first = VersionPages.Read(_store, new ListModelVersionsRequest { Model = "churn", PageSize = 1000 });

        first.Versions.Should().HaveCount(5, "five 400 KiB versions fit 2 MiB, a sixth would not");
        first.CalculateSize().Should().BeLessThanOrEqualTo(VersionPages.MaxPageBytes + 1024);
        ReadAll(pageSize: 1000, out _).Should().Equal(Enumerable.Range(1, 12));
    }

    [Theory]
    [InlineData(-1, "", "page_size is -1")]
    [InlineData(10, "not-a-token", "page_token is not one this service issued")]
    [InlineData(10, "YWZ0ZXItdmVyc2lvbjp4", "page_token is not one this service issued")]
    public void A_bad_page_size_or_token_is_refused_saying_what_to_pass(int pageSize, string token, string expected)
    {
        Register(3);

        var read = () => VersionPages.Read(_store, new ListModelVersionsRequest { Model = "churn", PageSize = pageSize, PageToken = token });

        read.Should().Throw<ArgumentException>().WithMessage($"*{expected}*");
    }

    [Fact]
    public async Task A_version_spec_over_a_mebibyte_is_refused_at_registration()
    {
        var spec = new ModelVersionSpec
        {
            Model = "churn", ArtifactSha256 = new string('a', 64), Objective = "binary:logistic",
            FeatureNames = { new string('f', ModelRegistry.MaxSpecBytes) },
        };
        var registry = new ModelRegistry(_store, new Cascade.Storage.Artifacts.LocalArtifactStore(Path.Combine(_data, "artifacts")),
            new PromotionGate(new Cascade.Registry.Options.PromotionGateOptions()), null!);

        var register = () => registry.RegisterAsync(spec, "test", CancellationToken.None);

        await register.Should().ThrowAsync<ArgumentException>().WithMessage("*at most 1,048,576 are accepted*");
    }

    [Fact]
    public async Task A_lineage_duration_json_cannot_write_is_refused_at_registration()
    {
        // Found by fuzzing: stored, it made every REST listing of the model's versions fail.
        var spec = new ModelVersionSpec
        {
            Model = "churn", ArtifactSha256 = new string('a', 64), Objective = "binary:logistic", FeatureNames = { "f" },
            Lineage = new Lineage { Duration = new Google.Protobuf.WellKnownTypes.Duration { Seconds = 3, Nanos = -7 } },
        };
        var registry = new ModelRegistry(_store, new Cascade.Storage.Artifacts.LocalArtifactStore(Path.Combine(_data, "artifacts")),
            new PromotionGate(new Cascade.Registry.Options.PromotionGateOptions()), null!);

        var register = () => registry.RegisterAsync(spec, "test", CancellationToken.None);

        await register.Should().ThrowAsync<ArgumentException>().WithMessage("*lineage.duration must be a non-negative duration*");
    }
}
