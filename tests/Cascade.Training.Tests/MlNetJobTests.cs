using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Registry.V1;
using Cascade.Contracts.Training.V1;
using Cascade.Ml.Training;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Record = Cascade.Contracts.Ingestion.V1.Record;
using Value = Cascade.Contracts.Common.V1.Value;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.Training.Tests;

/// <summary>
/// A job whose policy trains with ML.NET reports its rounds while it runs and stops when it is cancelled, registering
/// nothing, like an XGBoost job: in the all-in-one host, through the job's progress and cancel path.
/// Runs alone: beside the project's other hosts the cancelled fit did not stop within 45 s (twice, reproducibly, on
/// 2 cores), while alone it stops in about a second; why is not yet known (an open item of issue 17).
/// </summary>
[Collection(nameof(MlNetJobTests))]
public sealed class MlNetJobTests : IAsyncLifetime
{
    /// <summary>Trees enough to keep FastTree busy for minutes: only a cancellation ends the first job in time.</summary>
    private const int ManyRounds = 200_000;

    private readonly string _data = Directory.CreateTempSubdirectory("cascade-training-mlnet-").FullName;
    private InProcessHost _host = null!;

    private Contracts.Training.V1.Training.TrainingClient Training => new(_host.Channel);

    public async Task InitializeAsync()
    {
        _host = await InProcessHost.StartAsync(_data);
        var dataset = new DatasetSpec { Name = "readings", EntityColumn = "device", EventTimeColumn = "time", LabelColumn = "label" };
        dataset.Columns.Add(new ColumnSpec { Name = "a", Type = ValueType.Float64, Required = true });
        dataset.Columns.Add(new ColumnSpec { Name = "b", Type = ValueType.Float64, Required = true });
        await new Contracts.Ingestion.V1.Ingestion.IngestionClient(_host.Channel).RegisterDatasetAsync(new RegisterDatasetRequest { Spec = dataset });
        await new Contracts.Features.V1.Features.FeaturesClient(_host.Channel).ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = new FeatureViewSpec { Name = "readings-view", Dataset = "readings", Passthrough = { "a", "b" } } });
        var random = new Random(31);
        var request = new IngestRequest { Dataset = "readings" };
        for (var i = 0; i < 2000; i++)
        {
            var (a, b) = (random.NextDouble() * 2 - 1, random.NextDouble() * 2 - 1);
            request.Records.Add(new Record
            {
                RecordId = $"r{i}", EntityId = $"d{i % 50}", EventTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(i)),
                Values = { ["a"] = new Value { Float64Value = a }, ["b"] = new Value { Float64Value = b } },
                Label = a + 0.5 * b + (random.NextDouble() - 0.5) * 0.8 > 0 ? 1 : 0,
            });
        }
        await new Contracts.Ingestion.V1.Ingestion.IngestionClient(_host.Channel).IngestBatchAsync(request);
        await Eventually.WaitForAsync(
            async () => (await new Contracts.Features.V1.Features.FeaturesClient(_host.Channel).GetMaterializationStatusAsync(new GetMaterializationStatusRequest { FeatureView = "readings-view" })).LabeledRows,
            labeled => labeled >= 2000, "Features materialized the rows", TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(50));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    private Task PutPolicyAsync(int rounds) => Training.PutTrainingPolicyAsync(new PutTrainingPolicyRequest
    {
        Spec = new TrainingPolicySpec
        {
            Model = "readings-model", Dataset = "readings", FeatureView = "readings-view", Objective = "binary:logistic", Rounds = rounds,
            Trainer = Trainers.MlNetFastTree, ValidationFraction = 0.1, HoldoutFraction = 0.2, Parameters = { ["nthread"] = "1" },
            Resources = new ResourceRequest { Accelerator = ResourceRequest.Types.Accelerator.Cpu },
        },
    }).ResponseAsync;

    /// <summary>Triggers a job once Training has seen the view's rows materialized (a moment after Features reports them).</summary>
    private async Task<TrainingJob> TriggerAsync(string reason) => (await Eventually.WaitForAsync<TrainingJob?>(async () =>
    {
        try
        {
            return await Training.TriggerTrainingAsync(new TriggerTrainingRequest { Model = "readings-model", Reason = reason });
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.FailedPrecondition)
        {
            return null;
        }
    }, job => job is not null, "Training accepts a manual trigger", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100)))!;

    private Task<TrainingJob> WaitForAsync(string id, Func<TrainingJob, bool> condition, string what, TimeSpan within) =>
        Eventually.WaitForAsync(async () => await Training.GetJobAsync(new GetJobRequest { Id = id }), condition, what, within, TimeSpan.FromMilliseconds(100));

    [Fact]
    public async Task A_running_ML_NET_job_reports_rising_rounds_and_a_cancel_stops_it_without_a_version()
    {
        await PutPolicyAsync(ManyRounds);
        var running = await TriggerAsync("progress and cancel");

        var first = await WaitForAsync(running.Id, j => j.Status.RoundsDone > 0, "the ML.NET job reports rounds done", TimeSpan.FromMinutes(1));
        first.Status.State.Should().Be(JobState.Running);
        first.Status.RoundsPlanned.Should().Be(ManyRounds);
        var later = await WaitForAsync(running.Id, j => j.Status.RoundsDone > first.Status.RoundsDone, "the rounds done rise", TimeSpan.FromSeconds(30));
        later.Status.RoundsDone.Should().BeLessThan(ManyRounds);

        (await Training.CancelJobAsync(new CancelJobRequest { Id = running.Id })).Status.State.Should().Be(JobState.Cancelled);

        // A worker takes one job at a time: the next job runs only once the cancelled one has stopped.
        await PutPolicyAsync(20);
        var next = await TriggerAsync("after the cancel");
        var done = await WaitForAsync(next.Id, j => j.Status.State is JobState.Succeeded or JobState.Failed, "the next job ran, so the cancelled one stopped", TimeSpan.FromSeconds(45));
        done.Status.State.Should().Be(JobState.Succeeded, done.Status.Error);
        (await Training.GetJobAsync(new GetJobRequest { Id = running.Id })).Status.State.Should().Be(JobState.Cancelled);
        var versions = await new Contracts.Registry.V1.Registry.RegistryClient(_host.Channel).ListModelVersionsAsync(new ListModelVersionsRequest { Model = "readings-model" });
        versions.Versions.Should().ContainSingle().Which.Spec.Lineage.TrainingJobId.Should().Be(next.Id, "the cancelled job registered nothing");
    }
}

/// <summary>The ML.NET job test runs with no other test class of this project beside it.</summary>
[CollectionDefinition(nameof(MlNetJobTests), DisableParallelization = true)]
public sealed class MlNetJobTestsCollection;
