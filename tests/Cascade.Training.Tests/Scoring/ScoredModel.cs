using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Registry.V1;
using Cascade.Contracts.Training.V1;
using Cascade.Ml.Signing;
using Cascade.Storage.Artifacts;
using Cascade.Storage.OfflineStore;
using Cascade.Training.Domain;
using Cascade.Training.Options;

namespace Cascade.Training.Tests.Scoring;

/// <summary>
/// What a batch-scoring test scores: a signed model trained by a real training worker on <c>rows</c> rows of "view"
/// (two features, a label), with the stores it lives in under <c>root</c>. The caller disposes the store and the key.
/// </summary>
internal sealed record ScoredModel(SqliteOfflineStore Offline, LocalArtifactStore Artifacts, SigningKey Key, string Sha256)
{
    public static async Task<ScoredModel> TrainAsync(string root, int rows, int seed, int rounds)
    {
        var offline = new SqliteOfflineStore(Path.Combine(root, "offline.db"));
        var random = new Random(seed);
        await offline.AppendAsync("view", 1, Enumerable.Range(0, rows).Select(i =>
        {
            var (x, y) = (random.NextDouble(), random.NextDouble());
            return new OfflineFeatureRow($"e{i % 20}", DateTimeOffset.UnixEpoch.AddSeconds(i), 0, i, [x, y], x + y > 1 ? 1 : 0);
        }).ToArray());
        var artifacts = new LocalArtifactStore(Path.Combine(root, "artifacts"));
        var key = SigningKey.Create();
        var registry = new LastRegistered();
        var trainer = new TrainingWorker(offline, artifacts, registry, new FixedCancellation(cancelled: false), new TrainingServiceOptions { WorkDirectory = Path.Combine(root, "work"), WorkerName = "test" }, key);
        var job = new TrainingJob
        {
            Id = "job-t",
            Spec = new TrainingJobSpec
            {
                Kind = JobKind.Train, Model = "m", FeatureViewVersion = 1, FeatureNames = { "x", "y" },
                Watermark = new Watermark { Topic = "t", Partitions = { new PartitionOffset { Partition = 0, Offset = rows } } },
            },
        };
        await trainer.RunAsync(job, new TrainingPolicySpec { Model = "m", Dataset = "d", FeatureView = "view", Objective = "binary:logistic", Rounds = rounds, HoldoutFraction = 0.2 }, CancellationToken.None);
        return new ScoredModel(offline, artifacts, key, registry.Spec!.ArtifactSha256);
    }

    /// <summary>A registry that accepts and remembers the last version registered.</summary>
    private sealed class LastRegistered : IRegistryGateway
    {
        public ModelVersionSpec? Spec { get; private set; }

        public Task<ModelVersion?> GetChampionAsync(string model, CancellationToken cancellationToken) => Task.FromResult<ModelVersion?>(null);

        public Task<ModelVersion?> GetVersionAsync(string model, int version, CancellationToken cancellationToken) => Task.FromResult<ModelVersion?>(null);

        public Task<ModelVersion?> GetAliasAsync(string model, string alias, CancellationToken cancellationToken) => Task.FromResult<ModelVersion?>(null);

        public Task<RegisterModelVersionResponse> RegisterAsync(ModelVersionSpec spec, string registeredBy, CancellationToken cancellationToken)
        {
            Spec = spec;
            return Task.FromResult(new RegisterModelVersionResponse { Version = new ModelVersion { Spec = spec, Meta = new ModelVersionMeta { Version = 1 } }, Decision = new GateDecision { Reason = "test" }, Promoted = true });
        }
    }
}

/// <summary>A job cancellation that always answers the same.</summary>
internal sealed class FixedCancellation(bool cancelled) : IJobCancellation
{
    public Task<bool> IsCancelledAsync(string jobId, CancellationToken cancellationToken) => Task.FromResult(cancelled);
}
