using Cascade.Cli.Commands;
using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Training.V1;
using Google.Protobuf.WellKnownTypes;
using Parquet;
using Record = Cascade.Contracts.Ingestion.V1.Record;
using Value = Cascade.Contracts.Common.V1.Value;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.Cli.Tests.Jobs;

/// <summary>
/// <c>cascade jobs score … --wait --out FILE</c> and <c>cascade jobs output</c> against an all-in-one host: the job
/// runs on the host's worker pool and the Parquet it stored comes back through the Registry's download.
/// </summary>
public sealed class JobsScoreCommandTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-cli-jobs-score-").FullName;
    private InProcessHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await InProcessHost.StartAsync(Path.Combine(_root, "host"));
        var dataset = new DatasetSpec { Name = "readings", EntityColumn = "device", EventTimeColumn = "time", LabelColumn = "label" };
        dataset.Columns.Add(new ColumnSpec { Name = "a", Type = ValueType.Float64, Required = true });
        dataset.Columns.Add(new ColumnSpec { Name = "b", Type = ValueType.Float64, Required = true });
        await new Contracts.Ingestion.V1.Ingestion.IngestionClient(_host.Channel).RegisterDatasetAsync(new RegisterDatasetRequest { Spec = dataset });
        await new Contracts.Features.V1.Features.FeaturesClient(_host.Channel).ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = new FeatureViewSpec { Name = "readings-view", Dataset = "readings", Passthrough = { "a", "b" } } });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private Task<CascadeProcess.Result> Cascade(params string[] args) => CascadeProcess.RunAsync([.. args, "--address", _host.Grpc]);

    [Fact]
    public async Task Jobs_score_waits_for_the_job_and_downloads_its_parquet_and_jobs_output_fetches_it_again()
    {
        var version = await TrainFirstVersionAsync();
        var first = Path.Combine(_root, "scores.parquet");

        var scored = await Cascade("jobs", "score", "--model", $"readings-model/{version}", "--wait", "--out", first);

        scored.ExitCode.Should().Be(0, scored.ToString());
        scored.Output.Should().Contain($"readings-model v{version}").And.Contain("2,000 rows scored").And.Contain("on cpu").And.Contain($"wrote {first}");
        (await RowsAsync(first)).Should().Be(2000);
        var job = (await new Contracts.Training.V1.Training.TrainingClient(_host.Channel).ListJobsAsync(new ListJobsRequest { Model = "readings-model" })).Jobs.First(j => j.Spec.Kind == JobKind.Score);

        var again = Path.Combine(_root, "again.parquet");
        var fetched = await Cascade("jobs", "output", job.Id, "--out", again);

        fetched.ExitCode.Should().Be(0, fetched.ToString());
        File.ReadAllBytes(again).Should().Equal(File.ReadAllBytes(first));
    }

    [Fact]
    public async Task Jobs_score_with_an_unknown_alias_says_which_aliases_exist()
    {
        await TrainFirstVersionAsync();

        var result = await Cascade("jobs", "score", "--model", "readings-model@best");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Should().Contain("InvalidArgument").And.Contain("alias 'best' is not one the Registry manages");
    }

    [Fact]
    public void A_model_reference_names_a_version_an_alias_or_the_champion()
    {
        JobsScoreCommand.Request("churn/3", null, null, gpu: false).Should().Match<TriggerBatchScoringRequest>(r => r.Model == "churn" && r.Version == 3 && r.Alias == "");
        JobsScoreCommand.Request("churn@challenger", null, null, gpu: false).Should().Match<TriggerBatchScoringRequest>(r => r.Model == "churn" && r.Version == 0 && r.Alias == "challenger");
        JobsScoreCommand.Request("churn", "v", "0:10,1:7", gpu: true).Should().Match<TriggerBatchScoringRequest>(r => r.Model == "churn" && r.Alias == "" && r.FeatureView == "v"
            && r.Accelerator == ResourceRequest.Types.Accelerator.Gpu && r.Watermark.Partitions.Count == 2 && r.Watermark.Partitions[1].Offset == 7);
        var bad = () => JobsScoreCommand.Request("churn", null, "0=10", gpu: false);
        bad.Should().Throw<ArgumentException>().WithMessage("*PARTITION:OFFSET*");
    }

    private static async Task<long> RowsAsync(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(File.OpenRead(path));
        var rows = 0L;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            rows += group.RowCount;
        }
        return rows;
    }

    private async Task<int> TrainFirstVersionAsync()
    {
        await new Contracts.Training.V1.Training.TrainingClient(_host.Channel).PutTrainingPolicyAsync(new PutTrainingPolicyRequest
        {
            Spec = new TrainingPolicySpec
            {
                Model = "readings-model", Dataset = "readings", FeatureView = "readings-view", Objective = "binary:logistic", Rounds = 10, HoldoutFraction = 0.2,
                Resources = new ResourceRequest { Accelerator = ResourceRequest.Types.Accelerator.Cpu },
                Triggers = new Contracts.Training.V1.Triggers { EveryNewLabeledRows = 2000 },
            },
        });
        var random = new Random(17);
        var request = new IngestRequest { Dataset = "readings" };
        for (var i = 0; i < 2000; i++)
        {
            var (a, b) = (random.NextDouble() * 2 - 1, random.NextDouble() * 2 - 1);
            request.Records.Add(new Record
            {
                RecordId = $"r{i}", EntityId = $"d{i % 50}", EventTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(i)),
                Values = { ["a"] = new Value { Float64Value = a }, ["b"] = new Value { Float64Value = b } }, Label = a + 0.5 * b > 0 ? 1 : 0,
            });
        }
        await new Contracts.Ingestion.V1.Ingestion.IngestionClient(_host.Channel).IngestBatchAsync(request);
        var jobs = await Eventually.WaitForAsync(
            async () => (await new Contracts.Training.V1.Training.TrainingClient(_host.Channel).ListJobsAsync(new ListJobsRequest { Model = "readings-model" })).Jobs,
            jobs => jobs.Any(j => j.Status.State is JobState.Succeeded or JobState.Failed), "a training job ends", TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(100));
        var job = jobs.First(j => j.Status.State is JobState.Succeeded or JobState.Failed);
        job.Status.State.Should().Be(JobState.Succeeded, job.Status.Error);
        return job.Status.ModelVersion;
    }
}
