using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Registry.V1;
using Cascade.Contracts.Training.V1;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Signing;
using Cascade.Storage.Artifacts;
using Cascade.Storage.OfflineStore;
using Cascade.Training.Domain;
using Cascade.Training.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cascade.Training.Tests;

/// <summary>A training worker signs every artifact it registers, and does not start without a key while signatures are required.</summary>
public sealed class WorkerSigningTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-worker-signing-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_worker_signs_the_manifest_of_the_artifact_it_registers_with_its_key()
    {
        using var offline = new SqliteOfflineStore(Path.Combine(_root, "offline.db"));
        var random = new Random(3);
        await offline.AppendAsync("view", 1, Enumerable.Range(0, 400).Select(i =>
        {
            var (x, y) = (random.NextDouble(), random.NextDouble());
            return new OfflineFeatureRow($"e{i % 20}", DateTimeOffset.UnixEpoch.AddSeconds(i), 0, i, [x, y], x + y > 1 ? 1 : 0);
        }).ToArray());
        var store = new LocalArtifactStore(Path.Combine(_root, "artifacts"));
        var registry = new RecordingRegistry();
        using var key = SigningKey.Create();
        var worker = new TrainingWorker(offline, store, registry, new NeverCancelled(), new TrainingServiceOptions { WorkDirectory = Path.Combine(_root, "work"), WorkerName = "test" }, key);

        await worker.RunAsync(Job(400), new TrainingPolicySpec { Model = "m", Dataset = "d", FeatureView = "view", Objective = "binary:logistic", Rounds = 5, HoldoutFraction = 0.2 }, CancellationToken.None);

        var spec = registry.Registered.Should().ContainSingle().Subject;
        var unpacked = Path.Combine(_root, "unpacked");
        ArtifactArchive.Unpack(await store.GetAsync(spec.ArtifactSha256), unpacked);
        var status = ManifestSigning.Check(unpacked, TrustedKeys.Of(key.PublicKey));
        status.State.Should().Be(SignatureState.Trusted, status.Describe());
        status.KeyId.Should().Be(key.KeyId);
    }

    [Fact]
    public void A_worker_without_a_signing_key_does_not_start_while_signatures_are_required()
    {
        var act = () => Worker(new ServiceCollection(), requireSignature: null);

        act.Should().Throw<OptionsValidationException>().WithMessage("*Cascade:Signing: PrivateKeyFile: no key to sign artifacts with*");
    }

    [Fact]
    public void A_worker_whose_key_file_is_not_a_key_does_not_start_and_the_message_names_the_file()
    {
        var path = Path.Combine(_root, "model-signing.key");
        File.WriteAllText(path, "not a key");

        var act = () => Worker(new ServiceCollection(), requireSignature: null, keyFile: path);

        act.Should().Throw<OptionsValidationException>().WithMessage($"*PrivateKeyFile*{path}*no PEM private key*");
    }

    [Fact]
    public void A_worker_may_build_unsigned_artifacts_only_when_signatures_are_not_required()
    {
        var services = Worker(new ServiceCollection(), requireSignature: false);

        services.Should().Contain(d => d.ServiceType == typeof(TrainingWorker));
    }

    [Fact]
    public void A_scheduler_that_runs_no_worker_needs_no_key()
    {
        var act = () => new ServiceCollection().AddCascadeTraining(o =>
        {
            o.CpuWorker = false;
            o.GpuWorker = false;
            o.DatabasePath = Path.Combine(_root, "training.db");
        });

        act.Should().NotThrow();
    }

    private IServiceCollection Worker(IServiceCollection services, bool? requireSignature, string? keyFile = null)
    {
        // Settings as a deployment gives them: from configuration, bound by the module.
        var settings = new Dictionary<string, string?>();
        if (requireSignature is { } required) settings["Cascade:Signing:RequireSignature"] = required.ToString();
        if (keyFile is not null) settings["Cascade:Signing:PrivateKeyFile"] = keyFile;
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddSingleton<IJobCancellation>(new NeverCancelled());
        return services.AddCascadeTraining(o =>
        {
            o.Scheduler = false;
            o.CpuWorker = true;
            o.GpuWorker = false;
            o.WorkDirectory = Path.Combine(_root, "work");
        });
    }

    private static TrainingJob Job(int rows) => new()
    {
        Id = "job-1",
        Spec = new TrainingJobSpec
        {
            Model = "m", FeatureViewVersion = 1, FeatureNames = { "x", "y" },
            Watermark = new Watermark { Topic = "t", Partitions = { new PartitionOffset { Partition = 0, Offset = rows } } },
        },
    };

    private sealed class RecordingRegistry : IRegistryGateway
    {
        public List<ModelVersionSpec> Registered { get; } = [];

        public Task<ModelVersion?> GetChampionAsync(string model, CancellationToken cancellationToken) => Task.FromResult<ModelVersion?>(null);

        public Task<ModelVersion?> GetVersionAsync(string model, int version, CancellationToken cancellationToken) =>
            Task.FromResult(Registered.Count >= version && version > 0 ? new ModelVersion { Spec = Registered[version - 1], Meta = new ModelVersionMeta { Version = version } } : null);

        public Task<ModelVersion?> GetAliasAsync(string model, string alias, CancellationToken cancellationToken) => Task.FromResult<ModelVersion?>(null);

        public Task<RegisterModelVersionResponse> RegisterAsync(ModelVersionSpec spec, string registeredBy, CancellationToken cancellationToken)
        {
            Registered.Add(spec);
            return Task.FromResult(new RegisterModelVersionResponse
            {
                Version = new ModelVersion { Spec = spec, Meta = new ModelVersionMeta { Version = Registered.Count } },
                Decision = new GateDecision { Reason = "test" },
                Promoted = true,
            });
        }
    }

    private sealed class NeverCancelled : IJobCancellation
    {
        public Task<bool> IsCancelledAsync(string jobId, CancellationToken cancellationToken) => Task.FromResult(false);
    }
}
