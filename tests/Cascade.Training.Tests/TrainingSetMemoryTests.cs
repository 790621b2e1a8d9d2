using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Registry.V1;
using Cascade.Contracts.Training.V1;
using Cascade.Storage.Artifacts;
using Cascade.Storage.OfflineStore;
using Cascade.Training.Domain;
using Cascade.Training.Options;

namespace Cascade.Training.Tests;

/// <summary>
/// A training set capped at <c>MaxTrainingRows</c> must not read the whole offline store first: the soak showed the
/// managed heap growing by ~40 MB per 100k records because every job materialized every labeled row ever stored
/// (319k <c>OfflineFeatureRow</c>s live in a heap dump at 300k records) only to keep the newest 10,000.
/// </summary>
public sealed class TrainingSetMemoryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-training-set-").FullName;

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_capped_training_set_reads_the_cap_plus_one_rows_not_the_whole_offline_store()
    {
        using var sqlite = new SqliteOfflineStore(Path.Combine(_root, "offline.db"));
        var random = new Random(7);
        const int perPartition = 1_500;
        foreach (var partition in new[] { 0, 1 })
        {
            var rows = Enumerable.Range(0, perPartition).Select(i =>
            {
                var x = random.NextDouble();
                var y = random.NextDouble();
                return new OfflineFeatureRow($"e{i % 50}", DateTimeOffset.UnixEpoch.AddSeconds(i * 2 + partition), partition, i, [x, y], x + y > 1 ? 1 : 0);
            }).ToArray();
            await sqlite.AppendAsync("view", 1, rows);
        }
        var offline = new CountingOfflineStore(sqlite);
        var registry = new RecordingRegistry();
        var worker = new TrainingWorker(offline, new LocalArtifactStore(Path.Combine(_root, "artifacts")), registry, new NeverCancelled(),
            new TrainingServiceOptions { WorkDirectory = Path.Combine(_root, "work"), WorkerName = "test" }, signingKey: null);
        var policy = new TrainingPolicySpec
        {
            Model = "m", Dataset = "d", FeatureView = "view", Objective = "binary:logistic", Rounds = 5,
            ValidationFraction = 0.1, HoldoutFraction = 0.2, MaxTrainingRows = 400,
        };
        var job = new TrainingJob
        {
            Id = "job-1",
            Spec = new TrainingJobSpec
            {
                Model = "m", FeatureViewVersion = 1, FeatureNames = { "x", "y" },
                Watermark = new Watermark { Topic = "t", Partitions = { new PartitionOffset { Partition = 0, Offset = perPartition }, new PartitionOffset { Partition = 1, Offset = perPartition } } },
            },
        };

        await worker.RunAsync(job, policy, CancellationToken.None);

        offline.RowsRead.Should().BeLessThanOrEqualTo(401, "a set capped at 400 rows needs 401 (one more says the store holds more than the cap)");
        var registered = registry.Registered.Should().ContainSingle().Subject;
        var used = registered.Lineage.TrainingRows + registered.Holdout.HoldoutRows;
        used.Should().BeLessThanOrEqualTo(400).And.BeGreaterThan(300, "the newest 400 rows, split into train, validation and holdout");
    }

    /// <summary>The offline store, counting every row it hands out.</summary>
    private sealed class CountingOfflineStore(IOfflineStore inner) : IOfflineStore
    {
        public long RowsRead;

        public Task<int> AppendAsync(string featureView, int viewVersion, IReadOnlyList<OfflineFeatureRow> rows, CancellationToken cancellationToken = default) =>
            inner.AppendAsync(featureView, viewVersion, rows, cancellationToken);

        public async Task<IReadOnlyList<OfflineFeatureRow>> ReadAsync(string featureView, int viewVersion, IReadOnlyDictionary<int, long> watermark, bool labeledOnly, CancellationToken cancellationToken = default)
        {
            var rows = await inner.ReadAsync(featureView, viewVersion, watermark, labeledOnly, cancellationToken);
            Interlocked.Add(ref RowsRead, rows.Count);
            return rows;
        }

        public async Task<IReadOnlyList<OfflineFeatureRow>> ReadLatestAsync(string featureView, int viewVersion, IReadOnlyDictionary<int, long> watermark, bool labeledOnly, int limit, CancellationToken cancellationToken = default)
        {
            var rows = await inner.ReadLatestAsync(featureView, viewVersion, watermark, labeledOnly, limit, cancellationToken);
            Interlocked.Add(ref RowsRead, rows.Count);
            return rows;
        }

        public Task<long> CountLabeledAsync(string featureView, int viewVersion, CancellationToken cancellationToken = default) =>
            inner.CountLabeledAsync(featureView, viewVersion, cancellationToken);

        public Task<int> DeleteEntityAsync(string featureView, string entityId, CancellationToken cancellationToken = default) =>
            inner.DeleteEntityAsync(featureView, entityId, cancellationToken);
    }

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
