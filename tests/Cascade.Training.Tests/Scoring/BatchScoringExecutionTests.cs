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
        _offline = new SqliteOfflineStore(Path.Combine(_root, "offline.db"));
        var random = new Random(5);
        await _offline.AppendAsync("view", 1, Enumerable.Range(0, Rows).Select(i =>
        {
            var (x, y) = (random.NextDouble(), random.NextDouble());
            return new OfflineFeatureRow($"e{i % 20}", DateTimeOffset.UnixEpoch.AddSeconds(i), 0, i, [x, y], x + y > 1 ? 1 : 0);
        }).ToArray());
        _artifacts = new LocalArtifactStore(Path.Combine(_root, "artifacts"));
        _key = SigningKey.Create();
        var registry = new LastRegistered();
        var trainer = new TrainingWorker(_offline, _artifacts, registry, new NotCancelled(), new TrainingServiceOptions { WorkDirectory = Path.Combine(_root, "work"), WorkerName = "test" }, _key);
        var job = Job(ResourceRequest.Types.Accelerator.Cpu);
        job.Id = "job-t";
        job.Spec.Kind = JobKind.Train;
        await trainer.RunAsync(job, new TrainingPolicySpec { Model = "m", Dataset = "d", FeatureView = "view", Objective = "binary:logistic", Rounds = 8, HoldoutFraction = 0.2 }, CancellationToken.None);
        _sha = registry.Spec!.ArtifactSha256;
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
        new(_offline, _artifacts, new NotCancelled(), new ArtifactTrust(TrustedKeys.Of(_key.PublicKey)), new TrainingServiceOptions
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

    private sealed class NotCancelled : IJobCancellation
    {
        public Task<bool> IsCancelledAsync(string jobId, CancellationToken cancellationToken) => Task.FromResult(false);
    }

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
