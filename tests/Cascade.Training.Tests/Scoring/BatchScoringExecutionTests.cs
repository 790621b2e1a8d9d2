using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Registry.V1;
using Cascade.Contracts.Training.V1;
using Cascade.Ml.Signing;
using Cascade.Storage.Artifacts;
using Cascade.Storage.OfflineStore;
using Cascade.Training.Domain;
using Cascade.Training.Options;
using Cascade.Training.Scoring;
using Parquet;

namespace Cascade.Training.Tests.Scoring;

/// <summary>
/// What a batch-scoring job runs on, on a build without ONNX Runtime's CUDA provider (every test build: the CUDA
/// package is a build choice of the gpu worker image), and what its status and lineage say about it.
/// </summary>
public sealed class BatchScoringExecutionTests : IAsyncLifetime
{
    private const int Rows = 300;
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-scoring-device-").FullName;
    private SqliteOfflineStore _offline = null!;
    private LocalArtifactStore _artifacts = null!;
    private SigningKey _key = null!;
    private string _sha = string.Empty;

    public async Task InitializeAsync()
    {
        (_offline, _artifacts, _key, _sha) = await ScoredModel.TrainAsync(_root, Rows, seed: 5, rounds: 8);
    }

    public Task DisposeAsync()
    {
        _offline.Dispose();
        _key.Dispose();
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_gpu_job_on_auto_scores_on_the_evaluator_and_its_status_and_lineage_say_the_cuda_provider_is_not_in_this_build()
    {
        var result = await Worker(ScoringExecutionProvider.Auto).RunAsync(Job(ResourceRequest.Types.Accelerator.Gpu), CancellationToken.None);

        result.Device.Should().Be("cpu");
        result.ExecutionProvider.Should().StartWith("cpu (CUDA provider not in this build").And.Contain("-p:CascadeOnnxRuntime=gpu");
        var lineage = await LineageAsync(result);
        lineage["cascade.execution_provider"].Should().Be(result.ExecutionProvider);
        lineage["cascade.device"].Should().Be("cpu");
        await AssertEvaluatorScoresAsync(result);
    }

    [Fact]
    public async Task A_gpu_job_on_cuda_fails_saying_why_and_what_to_set_and_stores_nothing()
    {
        var stored = StoredFiles();

        var run = async () => await Worker(ScoringExecutionProvider.Cuda).RunAsync(Job(ResourceRequest.Types.Accelerator.Gpu), CancellationToken.None);

        await run.Should().ThrowAsync<InvalidOperationException>()
            .WithMessage("*gpu pool*Cascade:Training:Scoring:ExecutionProvider is cuda*cannot score on CUDA: CUDA provider not in this build*set ExecutionProvider to auto*");
        StoredFiles().Should().Equal(stored);
    }

    [Fact]
    public async Task A_gpu_job_on_cpu_scores_on_the_evaluator_and_says_the_setting_chose_it()
    {
        var result = await Worker(ScoringExecutionProvider.Cpu).RunAsync(Job(ResourceRequest.Types.Accelerator.Gpu), CancellationToken.None);

        result.Device.Should().Be("cpu");
        result.ExecutionProvider.Should().Be("cpu (Cascade:Training:Scoring:ExecutionProvider is cpu)");
        await AssertEvaluatorScoresAsync(result);
    }

    [Theory]
    [InlineData(ScoringExecutionProvider.Auto)]
    [InlineData(ScoringExecutionProvider.Cuda)]
    public async Task A_cpu_job_runs_on_the_evaluator_whatever_the_setting(ScoringExecutionProvider setting)
    {
        var result = await Worker(setting).RunAsync(Job(ResourceRequest.Types.Accelerator.Cpu), CancellationToken.None);

        result.Device.Should().Be("cpu");
        result.ExecutionProvider.Should().Be("cpu");
        (await LineageAsync(result))["cascade.execution_provider"].Should().Be("cpu");
    }

    private string[] StoredFiles() => Directory.GetFiles(Path.Combine(_root, "artifacts"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();

    private BatchScoringWorker Worker(ScoringExecutionProvider provider) =>
        new(_offline, _artifacts, new FixedCancellation(cancelled: false), new ArtifactTrust(TrustedKeys.Of(_key.PublicKey)), new TrainingServiceOptions
        {
            WorkDirectory = Path.Combine(_root, "work"), WorkerName = "test", ScoringChunkRows = 128,
            Scoring = new BatchScoringOptions { ExecutionProvider = provider },
        });

    private TrainingJob Job(ResourceRequest.Types.Accelerator accelerator) => new()
    {
        Id = $"job-{accelerator}".ToLowerInvariant(),
        Spec = new TrainingJobSpec
        {
            Kind = JobKind.Score, Model = "m", FeatureViewVersion = 1, FeatureNames = { "x", "y" },
            Resources = new ResourceRequest { Accelerator = accelerator },
            Watermark = new Watermark { Topic = "t", Partitions = { new PartitionOffset { Partition = 0, Offset = Rows } } },
            Scoring = new BatchScoringSpec { ModelVersion = 1, ArtifactSha256 = _sha, FeatureView = "view" },
        },
    };

    private async Task<IReadOnlyDictionary<string, string>> LineageAsync(BatchScoringResult result)
    {
        await using var reader = await ParquetReader.CreateAsync(new MemoryStream(await _artifacts.GetAsync(result.OutputSha256)));
        return reader.CustomMetadata;
    }

    /// <summary>Every score is the artifact's evaluator's, bit for bit: a gpu job that fell back is scored exactly as a cpu one.</summary>
    private async Task AssertEvaluatorScoresAsync(BatchScoringResult result)
    {
        var reference = await Worker(ScoringExecutionProvider.Auto).RunAsync(Job(ResourceRequest.Types.Accelerator.Cpu), CancellationToken.None);
        result.OutputSha256.Should().NotBe(reference.OutputSha256, "the lineage differs");
        (await ScoresAsync(result)).Should().Equal(await ScoresAsync(reference));
        result.Engine.Should().Be(reference.Engine);
    }

    private async Task<int[]> ScoresAsync(BatchScoringResult result)
    {
        await using var reader = await ParquetReader.CreateAsync(new MemoryStream(await _artifacts.GetAsync(result.OutputSha256)));
        var field = reader.Schema.GetDataFields().Single(f => f.Name == "prediction");
        var scores = new List<int>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var values = new float[(int)group.RowCount];
            await group.ReadAsync(field, values.AsMemory());
            scores.AddRange(values.Select(BitConverter.SingleToInt32Bits));
        }
        return [.. scores];
    }
}
