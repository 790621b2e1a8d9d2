using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Registry.V1;
using Cascade.Contracts.Training.V1;
using Cascade.Ml.Signing;
using Cascade.Storage.Artifacts;
using Cascade.Storage.OfflineStore;
using Cascade.Training.Domain;
using Cascade.Training.Options;
using Cascade.Training.Scoring;

namespace Cascade.Training.Tests.Scoring;

/// <summary>A batch-scoring worker stops between chunks when its job is cancelled and stores no output.</summary>
public sealed class BatchScoringWorkerCancellationTests : IDisposable
{
    private const int Rows = 400;
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-scoring-cancel-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_job_cancelled_after_its_second_chunk_scores_no_further_chunk_and_stores_no_output()
    {
        var (offline, artifacts, key, sha) = await TrainedModelAsync();
        using var _ = offline;
        using var __ = key;
        var stored = StoredFiles();
        var worker = Worker(offline, artifacts, key, new FixedCancellation(cancelled: false));
        using var cancel = new CancellationTokenSource();
        var chunks = new List<int>();

        var run = async () => await worker.RunAsync(Job(sha), cancel.Token, (done, planned) =>
        {
            chunks.Add(done);
            if (done == 2) cancel.Cancel(); // what JobCancellationWatch does when CancelJob lands mid-run
        });

        await run.Should().ThrowAsync<OperationCanceledException>();
        chunks.Should().Equal(0, 1, 2);
        StoredFiles().Should().Equal(stored, "no output reaches the artifact store");
    }

    [Fact]
    public async Task A_job_cancelled_while_its_last_chunk_was_scored_stores_no_output()
    {
        var (offline, artifacts, key, sha) = await TrainedModelAsync();
        using var _ = offline;
        using var __ = key;
        var stored = StoredFiles();
        var worker = Worker(offline, artifacts, key, new FixedCancellation(cancelled: true));

        var run = async () => await worker.RunAsync(Job(sha), CancellationToken.None);

        await run.Should().ThrowAsync<JobCancelledException>();
        StoredFiles().Should().Equal(stored);
    }

    [Fact]
    public async Task A_job_not_cancelled_stores_its_output()
    {
        var (offline, artifacts, key, sha) = await TrainedModelAsync();
        using var _ = offline;
        using var __ = key;
        var worker = Worker(offline, artifacts, key, new FixedCancellation(cancelled: false));

        var result = await worker.RunAsync(Job(sha), CancellationToken.None);

        result.RowsScored.Should().Be(Rows);
        (await artifacts.ExistsAsync(result.OutputSha256)).Should().BeTrue();
    }

    private string[] StoredFiles() => Directory.GetFiles(Path.Combine(_root, "artifacts"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();

    private BatchScoringWorker Worker(IOfflineStore offline, IArtifactStore artifacts, SigningKey key, IJobCancellation cancellation) =>
        new(offline, artifacts, cancellation, new ArtifactTrust(TrustedKeys.Of(key.PublicKey)), new TrainingServiceOptions { WorkDirectory = Path.Combine(_root, "work"), WorkerName = "test", ScoringChunkRows = 100 });

    private static TrainingJob Job(string sha) => new()
    {
        Id = "job-s",
        Spec = new TrainingJobSpec
        {
            Kind = JobKind.Score, Model = "m", FeatureViewVersion = 1, FeatureNames = { "x", "y" },
            Watermark = new Watermark { Topic = "t", Partitions = { new PartitionOffset { Partition = 0, Offset = Rows } } },
            Scoring = new BatchScoringSpec { ModelVersion = 1, ArtifactSha256 = sha, FeatureView = "view" },
        },
    };

    private async Task<(SqliteOfflineStore Offline, LocalArtifactStore Artifacts, SigningKey Key, string Sha256)> TrainedModelAsync()
    {
        var model = await ScoredModel.TrainAsync(_root, Rows, seed: 3, rounds: 5);
        return (model.Offline, model.Artifacts, model.Key, model.Sha256);
    }
}
