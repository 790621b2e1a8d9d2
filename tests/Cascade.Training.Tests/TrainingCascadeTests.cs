using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Registry.V1;
using Cascade.Contracts.Training.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Cascade.Host;
using Cascade.Training.Domain;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Record = Cascade.Contracts.Ingestion.V1.Record;
using Value = Cascade.Contracts.Common.V1.Value;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.Training.Tests;

/// <summary>Records → features → a training job on the in-memory MassTransit worker → a registered, promoted version, in the all-in-one host.</summary>
public sealed class TrainingCascadeTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-training-").FullName;
    private WebApplication _host = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        var options = new AllInOneHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = _data };
        _host = AllInOneHost.Build(options, _ => { });
        await _host.StartAsync();
        _channel = GrpcChannel.ForAddress(AllInOneHost.GetAddresses(_host, options).Grpc);
        var dataset = new DatasetSpec { Name = "readings", EntityColumn = "device", EventTimeColumn = "time", LabelColumn = "label" };
        dataset.Columns.Add(new ColumnSpec { Name = "a", Type = ValueType.Float64, Required = true });
        dataset.Columns.Add(new ColumnSpec { Name = "b", Type = ValueType.Float64, Required = true });
        await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(_channel).RegisterDatasetAsync(new RegisterDatasetRequest { Spec = dataset });
        await new Cascade.Contracts.Features.V1.Features.FeaturesClient(_channel).ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = new FeatureViewSpec { Name = "readings-view", Dataset = "readings", Passthrough = { "a", "b" } } });
    }

    private static TrainingPolicySpec Policy(ResourceRequest.Types.Accelerator accelerator = ResourceRequest.Types.Accelerator.Cpu) => new()
    {
        Model = "readings-model",
        Dataset = "readings",
        FeatureView = "readings-view",
        Objective = "binary:logistic",
        Rounds = 20,
        ValidationFraction = 0.1,
        HoldoutFraction = 0.2,
        Resources = new ResourceRequest { Accelerator = accelerator },
        Triggers = new Cascade.Contracts.Training.V1.Triggers { EveryNewLabeledRows = 1500 },
    };

    private async Task IngestAsync(int count, int first = 0)
    {
        var random = new Random(5 + first);
        var request = new IngestRequest { Dataset = "readings" };
        for (var i = first; i < first + count; i++)
        {
            var a = random.NextDouble() * 2 - 1;
            var b = random.NextDouble() * 2 - 1;
            request.Records.Add(new Record
            {
                RecordId = $"r{i}",
                EntityId = $"d{i % 50}",
                EventTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(i)),
                Values = { ["a"] = new Value { Float64Value = a }, ["b"] = new Value { Float64Value = b } },
                Label = a + 0.5 * b > 0 ? 1 : 0,
            });
        }
        await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(_channel).IngestBatchAsync(request);
    }

    private Task WaitForLabeledRowsAsync(long rows) =>
        Eventually.WaitForAsync(
            async () => (await new Cascade.Contracts.Features.V1.Features.FeaturesClient(_channel).GetMaterializationStatusAsync(new GetMaterializationStatusRequest { FeatureView = "readings-view" })).LabeledRows,
            labeled => labeled >= rows, $"Features materialized {rows} labeled rows", TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(50));

    private async Task<TrainingJob> WaitForJobAsync(Func<TrainingJob, bool> done)
    {
        var jobs = await Eventually.WaitForAsync(
            async () => (await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).ListJobsAsync(new ListJobsRequest { Model = "readings-model" })).Jobs,
            jobs => jobs.Any(done), "a training job reaches the expected state", TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(100));
        return jobs.First(done);
    }

    [Fact]
    public async Task New_labeled_rows_trigger_a_job_whose_model_is_registered_with_lineage_and_promoted()
    {
        await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = Policy() });
        await IngestAsync(2000);

        var job = await WaitForJobAsync(j => j.Status.State is JobState.Succeeded or JobState.Failed);
        job.Status.Error.Should().BeEmpty();
        job.Status.State.Should().Be(JobState.Succeeded);
        job.Status.Promoted.Should().BeTrue();
        job.Status.Device.Should().Be("cpu");

        var champion = await new Cascade.Contracts.Registry.V1.Registry.RegistryClient(_channel).GetAliasAsync(new GetAliasRequest { Model = "readings-model", Alias = "champion" });
        champion.Meta.Version.Should().Be(job.Status.ModelVersion);
        champion.Spec.FeatureNames.Should().Equal("a", "b");
        champion.Spec.Holdout.CandidateMetrics["auc"].Should().BeGreaterThan(0.9, "the label is a clean linear function of the features");
        var lineage = champion.Spec.Lineage;
        lineage.TrainingJobId.Should().Be(job.Id);
        lineage.Dataset.Should().Be("readings");
        lineage.FeatureView.Should().Be("readings-view");
        lineage.Watermark.Partitions.Sum(p => p.Offset).Should().BeGreaterThanOrEqualTo(1500);
        lineage.Parameters["objective"].Should().Be("binary:logistic");
        lineage.TrainingRows.Should().BeGreaterThan(1000);
    }

    [Fact]
    public async Task A_gpu_job_waits_in_the_gpu_queue_when_no_worker_has_a_gpu()
    {
        await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = Policy(ResourceRequest.Types.Accelerator.Gpu) });
        await IngestAsync(2000);
        var job = await WaitForJobAsync(_ => true);
        // A worker taking it would move it to RUNNING within a second (the cpu job of the test above starts at once):
        // watch it for longer than that, failing as soon as it leaves the queue.
        await Eventually.ThroughoutAsync(async () =>
        {
            var again = await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).GetJobAsync(new GetJobRequest { Id = job.Id });
            again.Status.State.Should().Be(JobState.Queued, "Debian's XGBoost has no CUDA, so this host runs no gpu worker");
        }, TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task A_schedule_retrains_once_its_interval_passed_and_only_when_new_labeled_rows_arrived()
    {
        // All rows materialized before the policy exists: the first scheduled job then has all of them, and the
        // quiet stretch below really has no new rows.
        await IngestAsync(2000);
        await WaitForLabeledRowsAsync(2000);
        var policy = Policy();
        policy.Triggers = new Cascade.Contracts.Training.V1.Triggers { Schedule = Duration.FromTimeSpan(TimeSpan.FromSeconds(2)) };
        await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = policy });

        var first = await WaitForJobAsync(j => j.Status.State == JobState.Succeeded);
        first.Spec.Trigger.Should().Be(TriggerKind.Schedule);
        first.Spec.TriggerReason.Should().StartWith("schedule");

        // Two intervals without new rows: the same data would train the same model, so no job. Watched for the whole
        // stretch, failing as soon as a second job appears.
        await Eventually.ThroughoutAsync(async () =>
            (await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).ListJobsAsync(new ListJobsRequest { Model = "readings-model" })).Jobs
                .Should().ContainSingle("no labeled rows arrived since the first scheduled job"), TimeSpan.FromSeconds(4.5));

        await IngestAsync(500, first: 2000);
        var second = await WaitForJobAsync(j => j.Id != first.Id && j.Status.State == JobState.Succeeded);
        second.Spec.Trigger.Should().Be(TriggerKind.Schedule);
        (second.Status.QueuedAt.ToDateTimeOffset() - first.Status.QueuedAt.ToDateTimeOffset()).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(2));
    }

    [Theory]
    [InlineData(-1, 0, "every_new_labeled_rows")]
    [InlineData(0, -5, "triggers.schedule must be 0 (off) or a positive duration")]
    [InlineData(0, 0.2, "give at least 1 s")]
    public async Task Negative_or_too_short_triggers_are_refused(long everyRows, double scheduleSeconds, string expected)
    {
        var policy = Policy();
        policy.Triggers = new Cascade.Contracts.Training.V1.Triggers { EveryNewLabeledRows = everyRows, Schedule = Duration.FromTimeSpan(TimeSpan.FromSeconds(scheduleSeconds)) };
        var act = async () => await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = policy });
        var error = (await act.Should().ThrowAsync<RpcException>()).Which;
        error.StatusCode.Should().Be(StatusCode.InvalidArgument);
        error.Status.Detail.Should().Contain(expected);
    }

    [Fact]
    public async Task Policies_and_reasons_of_megabytes_are_refused_before_they_reach_any_job()
    {
        // Found by the live fuzz campaign: jobs of several MiB made every job listing slow and too large for clients.
        var huge = Policy();
        huge.Parameters["eta"] = new string('1', 100_000);
        var put = async () => await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = huge });
        (await put.Should().ThrowAsync<RpcException>()).Which.Status.Should().Match<Status>(s => s.StatusCode == StatusCode.InvalidArgument && s.Detail.Contains("at most 65,536"));

        await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = Policy() });
        var trigger = async () => await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).TriggerTrainingAsync(new TriggerTrainingRequest { Model = "readings-model", Reason = new string('r', 1001) });
        (await trigger.Should().ThrowAsync<RpcException>()).Which.Status.Should().Match<Status>(s => s.StatusCode == StatusCode.InvalidArgument && s.Detail.Contains("at most 1,000"));
    }

    [Fact]
    public async Task A_queued_job_can_be_cancelled_once_and_a_finished_one_cannot()
    {
        await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = Policy(ResourceRequest.Types.Accelerator.Gpu) });
        await IngestAsync(2000);
        var queued = await WaitForJobAsync(_ => true); // no gpu worker here: it stays queued

        var cancelled = await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).CancelJobAsync(new CancelJobRequest { Id = queued.Id });
        cancelled.Status.State.Should().Be(JobState.Cancelled);
        cancelled.Status.FinishedAt.Should().NotBeNull();
        (await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).GetJobAsync(new GetJobRequest { Id = queued.Id })).Status.State.Should().Be(JobState.Cancelled);
        (await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).CancelJobAsync(new CancelJobRequest { Id = queued.Id })).Status.State.Should().Be(JobState.Cancelled, "cancelling twice is harmless");

        var unknown = async () => await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).CancelJobAsync(new CancelJobRequest { Id = "job-nope" });
        (await unknown.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.NotFound);

        await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = Policy() });
        var trained = await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).TriggerTrainingAsync(new TriggerTrainingRequest { Model = "readings-model" });
        var succeeded = await WaitForJobAsync(j => j.Id == trained.Id && j.Status.State == JobState.Succeeded);
        var late = async () => await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).CancelJobAsync(new CancelJobRequest { Id = succeeded.Id });
        var refused = (await late.Should().ThrowAsync<RpcException>()).Which;
        refused.StatusCode.Should().Be(StatusCode.FailedPrecondition);
        refused.Status.Detail.Should().Contain("roll the version back");
    }

    [Fact]
    public async Task Bad_policies_and_unknown_models_get_clear_errors()
    {
        var bad = Policy();
        bad.Parameters["max_dept"] = "3";
        var act = async () => await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = bad });
        (await act.Should().ThrowAsync<RpcException>()).Which.Status.Detail.Should().Contain("max_depth");
        var unknown = async () => await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).TriggerTrainingAsync(new TriggerTrainingRequest { Model = "nope" });
        (await unknown.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.NotFound);
    }

    [Fact]
    public void The_split_is_deterministic_and_close_to_the_requested_fractions()
    {
        var parts = Enumerable.Range(0, 20_000).Select(i => DatasetSplit.Of(i % 4, i, 0.1, 0.2)).ToArray();
        parts.Should().Equal(Enumerable.Range(0, 20_000).Select(i => DatasetSplit.Of(i % 4, i, 0.1, 0.2)));
        (parts.Count(p => p == SplitPart.Holdout) / 20_000.0).Should().BeApproximately(0.2, 0.02);
        (parts.Count(p => p == SplitPart.Validation) / 20_000.0).Should().BeApproximately(0.1, 0.02);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _host.StopAsync();
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
