using Xunit.Abstractions;
using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Registry.V1;
using Cascade.Contracts.Training.V1;
using Google.Protobuf.WellKnownTypes;
using Record = Cascade.Contracts.Ingestion.V1.Record;
using Value = Cascade.Contracts.Common.V1.Value;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.Cli.Tests.Reproduce;

/// <summary>
/// <c>cascade models reproduce</c> against an all-in-one host on free ports: a version its worker trained is trained
/// again from its lineage (rows read from the host's offline store at the recorded watermark) into the same model
/// file; a changed parameter and erased rows each make it differ, and the report names why.
/// </summary>
public sealed class ReproduceCommandTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-cli-reproduce-").FullName;
    private InProcessHost _host = null!;

    private string HostData => Path.Combine(_root, "host");

    public async Task InitializeAsync()
    {
        _host = await InProcessHost.StartAsync(HostData);
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

    private async Task<int> TrainFirstVersionAsync(string trainer = Ml.Training.Trainers.XGBoost)
    {
        await new Contracts.Training.V1.Training.TrainingClient(_host.Channel).PutTrainingPolicyAsync(new PutTrainingPolicyRequest
        {
            Spec = new TrainingPolicySpec
            {
                Model = "readings-model", Dataset = "readings", FeatureView = "readings-view", Objective = "binary:logistic", Rounds = 20,
                ValidationFraction = 0.1, HoldoutFraction = 0.2, Parameters = { ["max_depth"] = "4" }, Trainer = trainer,
                Resources = new ResourceRequest { Accelerator = ResourceRequest.Types.Accelerator.Cpu },
                Triggers = new Contracts.Training.V1.Triggers { EveryNewLabeledRows = 1500 },
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
                Values = { ["a"] = new Value { Float64Value = a }, ["b"] = new Value { Float64Value = b } },
                Label = a + 0.5 * b + (random.NextDouble() - 0.5) * 0.6 > 0 ? 1 : 0,
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

    [Fact]
    public async Task A_trained_version_reproduces_identically_and_a_changed_parameter_or_erased_rows_are_reported()
    {
        var version = await TrainFirstVersionAsync();
        var lineage = (await new Contracts.Registry.V1.Registry.RegistryClient(_host.Channel).GetModelVersionAsync(new GetModelVersionRequest { Model = "readings-model", Version = version })).Spec.Lineage;
        lineage.Parameters.Should().Contain("training.rounds", "20").And.Contain("training.holdout_fraction", "0.2");

        var same = await CascadeProcess.RunAsync("models", "reproduce", $"readings-model/{version}", "--data", HostData, "--grpc", _host.Grpc);

        output.WriteLine(same.ToString());
        same.ExitCode.Should().Be(0, same.ToString());
        same.Output.Should().Contain("model.json: identical").And.Contain("every prediction identical").And.Contain("result: identical");

        var tampered = await CascadeProcess.RunAsync("models", "reproduce", "readings-model", version.ToString(), "--param", "max_depth=2", "--data", HostData, "--grpc", _host.Grpc);

        output.WriteLine(tampered.ToString());
        tampered.ExitCode.Should().Be(3, tampered.ToString());
        tampered.Output.Should().Contain("model.json: differs").And.Contain("cause: parameter max_depth: recorded 4, retrained with 2").And.Contain("result: differs");

        var erased = await new Contracts.Features.V1.Features.FeaturesClient(_host.Channel).EraseEntityAsync(new EraseEntityRequest { Dataset = "readings", EntityId = "d7" });
        erased.OfflineRowsRemoved.Should().BeGreaterThan(0);

        var lost = await CascadeProcess.RunAsync("models", "reproduce", $"readings-model/{version}", "--data", HostData, "--grpc", _host.Grpc);

        output.WriteLine(lost.ToString());
        lost.ExitCode.Should().Be(3, lost.ToString());
        lost.Output.Should().Contain("rows were erased or are no longer retained").And.Contain("result: differs");
    }

    [Fact]
    public async Task A_version_trained_by_ML_NET_reproduces_identically()
    {
        var version = await TrainFirstVersionAsync(Ml.Training.Trainers.MlNetFastTree);

        var same = await CascadeProcess.RunAsync("models", "reproduce", $"readings-model/{version}", "--data", HostData, "--grpc", _host.Grpc);

        output.WriteLine(same.ToString());
        same.ExitCode.Should().Be(0, same.ToString());
        same.Output.Should().Contain("reproducing readings-model v1: mlnet-fasttree, 20 rounds").And.Contain("result: identical");
    }

    [Fact]
    public async Task An_imported_version_is_refused_with_the_reason()
    {
        var model = Path.Combine(_root, "model");
        var csv = Path.Combine(_root, "train.csv");
        File.WriteAllLines(csv, ["a,b,label", .. Enumerable.Range(0, 200).Select(i => $"{i % 7},{i % 5},{(i % 7 > 3 ? 1 : 0)}")]);
        (await CascadeProcess.RunAsync("train", "--csv", csv, "--label", "label", "--out", model, "--rounds", "5", "--param", "objective=binary:logistic")).ExitCode.Should().Be(0);
        (await CascadeProcess.RunAsync("models", "import", "elsewhere", "--file", Path.Combine(model, "model.json"), "--features", "a,b", "--unsigned", "--grpc", _host.Grpc)).ExitCode.Should().Be(0);

        var refused = await CascadeProcess.RunAsync("models", "reproduce", "elsewhere/1", "--data", HostData, "--grpc", _host.Grpc);

        refused.ExitCode.Should().Be(1, refused.ToString());
        refused.Error.Should().Contain("was not trained by Cascade from a feature view");
    }
}
