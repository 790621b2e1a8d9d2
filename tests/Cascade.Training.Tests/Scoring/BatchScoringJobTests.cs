using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Registry.V1;
using Cascade.Contracts.Training.V1;
using Cascade.Ml.Artifacts;
using Cascade.Storage.OfflineStore;
using Cascade.Training.Scoring;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Parquet;
using Parquet.Schema;
using Record = Cascade.Contracts.Ingestion.V1.Record;
using Value = Cascade.Contracts.Common.V1.Value;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.Training.Tests.Scoring;

/// <summary>
/// Batch scoring on a running host: records → features → a trained, promoted version → a scoring job on the same
/// in-memory worker pool → one Parquet file in the artifact store whose every score is the evaluator's own.
/// </summary>
public sealed class BatchScoringJobTests : IAsyncLifetime
{
    private const string Model = "readings-model";
    private const string View = "readings-view";
    private const int Rows = 2000;
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-scoring-").FullName;
    private InProcessHost _host = null!;

    private Contracts.Training.V1.Training.TrainingClient Training => new(_host.Channel);

    private Contracts.Registry.V1.Registry.RegistryClient Registry => new(_host.Channel);

    public async Task InitializeAsync()
    {
        _host = await InProcessHost.StartAsync(_data);
        var dataset = new DatasetSpec { Name = "readings", EntityColumn = "device", EventTimeColumn = "time", LabelColumn = "label" };
        dataset.Columns.Add(new ColumnSpec { Name = "a", Type = ValueType.Float64, Required = true });
        dataset.Columns.Add(new ColumnSpec { Name = "b", Type = ValueType.Float64, Required = true });
        await new Contracts.Ingestion.V1.Ingestion.IngestionClient(_host.Channel).RegisterDatasetAsync(new RegisterDatasetRequest { Spec = dataset });
        await new Contracts.Features.V1.Features.FeaturesClient(_host.Channel).ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = new FeatureViewSpec { Name = View, Dataset = "readings", Passthrough = { "a", "b" } } });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task A_scoring_job_writes_every_materialized_row_with_the_evaluators_own_prediction_and_its_lineage()
    {
        var version = await TrainChampionAsync();
        var policy = await Training.GetTrainingPolicyAsync(new GetTrainingPolicyRequest { Model = Model });

        var queued = await Training.TriggerBatchScoringAsync(new TriggerBatchScoringRequest { Model = Model });
        queued.Spec.Kind.Should().Be(JobKind.Score);
        queued.Spec.Scoring.ModelVersion.Should().Be(version.Meta.Version, "no version or alias means the champion");
        queued.Spec.Scoring.Alias.Should().Be("champion");
        queued.Spec.Scoring.FeatureView.Should().Be(View, "the version's lineage names the view");
        queued.Spec.Scoring.ArtifactSha256.Should().Be(version.Spec.ArtifactSha256);
        var job = await WaitUntilFinishedAsync(queued.Id);

        job.Status.Error.Should().BeEmpty();
        job.Status.State.Should().Be(JobState.Succeeded);
        job.Status.ModelVersion.Should().Be(0, "a scoring job registers no version");
        (await Training.GetTrainingPolicyAsync(new GetTrainingPolicyRequest { Model = Model })).Meta.LastJobAt.Should().Be(policy.Meta.LastJobAt,
            "a scoring job is not the model's last training job: schedules and cooldowns count from training");
        var result = job.Status.Scoring;
        result.RowsScored.Should().Be(Rows, "every ingested row was materialized below the latest watermark");
        result.Device.Should().Be("cpu", "this host has no GPU and no CUDA build of ONNX Runtime");
        result.Engine.Should().NotBeEmpty();
        result.OutputColumns.Should().Equal("prediction");
        job.Status.RoundsDone.Should().Be(job.Status.RoundsPlanned, "every chunk was scored");
        job.Status.RoundsPlanned.Should().BeGreaterThan(0);

        var expected = await MaterializedRowsAsync(job);
        expected.Should().HaveCount(Rows);
        var scored = await ReadScoresAsync(result.OutputSha256);
        scored.Metadata["cascade.model"].Should().Be(Model);
        scored.Metadata["cascade.model_version"].Should().Be(version.Meta.Version.ToString());
        scored.Metadata["cascade.artifact_sha256"].Should().Be(version.Spec.ArtifactSha256);
        scored.Metadata["cascade.feature_view"].Should().Be(View);
        scored.Metadata["cascade.rows"].Should().Be(Rows.ToString());
        scored.Metadata["cascade.device"].Should().Be("cpu");
        scored.Metadata["cascade.watermark"].Should().NotBeEmpty();

        var artifact = await LoadArtifactAsync(version);
        scored.EntityIds.Should().Equal(expected.Select(r => r.EntityId));
        scored.EventTimes.Should().Equal(expected.Select(r => r.EventTime.UtcDateTime));
        var output = new float[1];
        for (var i = 0; i < expected.Count; i++)
        {
            artifact.Scorer.Predict(expected[i].Values.Select(v => (float)v).ToArray(), output);
            BitConverter.SingleToInt32Bits(scored.Predictions[i]).Should().Be(BitConverter.SingleToInt32Bits(output[0]), $"row {i} ({expected[i].EntityId}) is scored by the same evaluator");
        }
    }

    [Fact]
    public async Task A_scoring_job_up_to_an_earlier_watermark_scores_only_the_rows_below_it()
    {
        var version = await TrainChampionAsync();
        var latest = (await Training.TriggerBatchScoringAsync(new TriggerBatchScoringRequest { Model = Model, Version = version.Meta.Version })).Spec.Watermark;
        var earlier = new Watermark { Topic = latest.Topic, Partitions = { latest.Partitions.Select(p => new PartitionOffset { Partition = p.Partition, Offset = p.Offset / 2 }) } };

        var queued = await Training.TriggerBatchScoringAsync(new TriggerBatchScoringRequest { Model = Model, Version = version.Meta.Version, Watermark = earlier });
        var job = await WaitUntilFinishedAsync(queued.Id);

        job.Status.State.Should().Be(JobState.Succeeded, job.Status.Error);
        var expected = await MaterializedRowsAsync(job);
        expected.Count.Should().BeLessThan(Rows).And.BeGreaterThan(0);
        job.Status.Scoring.RowsScored.Should().Be(expected.Count);
        (await ReadScoresAsync(job.Status.Scoring.OutputSha256)).EntityIds.Should().Equal(expected.Select(r => r.EntityId));
    }

    [Fact]
    public async Task A_scoring_job_cancelled_before_a_worker_takes_it_never_writes_an_output()
    {
        await TrainChampionAsync();
        // The gpu pool has no worker on this host (no CUDA), so the job waits there until it is cancelled.
        var queued = await Training.TriggerBatchScoringAsync(new TriggerBatchScoringRequest { Model = Model, Accelerator = ResourceRequest.Types.Accelerator.Gpu });

        var cancelled = await Training.CancelJobAsync(new CancelJobRequest { Id = queued.Id });

        cancelled.Status.State.Should().Be(JobState.Cancelled);
        var job = await Training.GetJobAsync(new GetJobRequest { Id = queued.Id });
        job.Status.State.Should().Be(JobState.Cancelled);
        job.Status.Scoring.Should().BeNull();
    }

    [Fact]
    public async Task A_missing_version_is_not_found_and_an_unknown_alias_is_an_invalid_argument()
    {
        await TrainChampionAsync();

        var missing = async () => await Training.TriggerBatchScoringAsync(new TriggerBatchScoringRequest { Model = Model, Version = 99 });
        (await missing.Should().ThrowAsync<RpcException>()).Which.Status.Should().Match<Status>(s => s.StatusCode == StatusCode.NotFound && s.Detail.Contains("no version 99"));

        var unknownModel = async () => await Training.TriggerBatchScoringAsync(new TriggerBatchScoringRequest { Model = "no-such-model" });
        (await unknownModel.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.NotFound);

        var badAlias = async () => await Training.TriggerBatchScoringAsync(new TriggerBatchScoringRequest { Model = Model, Alias = "champoin" });
        (await badAlias.Should().ThrowAsync<RpcException>()).Which.Status.Should().Match<Status>(s => s.StatusCode == StatusCode.InvalidArgument
            && s.Detail.Contains("alias 'champoin' is not one the Registry manages") && s.Detail.Contains("champion or challenger"));

        var both = async () => await Training.TriggerBatchScoringAsync(new TriggerBatchScoringRequest { Model = Model, Version = 1, Alias = "champion" });
        (await both.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.InvalidArgument);
    }

    /// <summary>Trains the model on every row through a labeled-rows trigger; returns its promoted version once all rows are materialized.</summary>
    private async Task<ModelVersion> TrainChampionAsync()
    {
        await Training.PutTrainingPolicyAsync(new PutTrainingPolicyRequest
        {
            Spec = new TrainingPolicySpec
            {
                Model = Model, Dataset = "readings", FeatureView = View, Objective = "binary:logistic", Rounds = 20, HoldoutFraction = 0.2,
                Resources = new ResourceRequest { Accelerator = ResourceRequest.Types.Accelerator.Cpu },
                Triggers = new Contracts.Training.V1.Triggers { EveryNewLabeledRows = 1500 },
            },
        });
        var random = new Random(7);
        var request = new IngestRequest { Dataset = "readings" };
        for (var i = 0; i < Rows; i++)
        {
            var (a, b) = (random.NextDouble() * 2 - 1, random.NextDouble() * 2 - 1);
            request.Records.Add(new Record
            {
                RecordId = $"r{i}", EntityId = $"d{i % 50}", EventTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(i)),
                Values = { ["a"] = new Value { Float64Value = a }, ["b"] = new Value { Float64Value = b } }, Label = a + 0.5 * b > 0 ? 1 : 0,
            });
        }
        await new Contracts.Ingestion.V1.Ingestion.IngestionClient(_host.Channel).IngestBatchAsync(request);
        await Eventually.WaitForAsync(
            async () => (await new Contracts.Features.V1.Features.FeaturesClient(_host.Channel).GetMaterializationStatusAsync(new GetMaterializationStatusRequest { FeatureView = View })).LabeledRows,
            labeled => labeled >= Rows, $"{Rows} rows materialized", TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(50));
        var trained = await Eventually.WaitForAsync(
            async () => (await Training.ListJobsAsync(new ListJobsRequest { Model = Model })).Jobs.FirstOrDefault(j => j.Spec.Kind == JobKind.Train && j.Status.State is JobState.Succeeded or JobState.Failed),
            job => job is not null, "the training job finishes", TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(100));
        trained!.Status.State.Should().Be(JobState.Succeeded, trained.Status.Error);
        return await Registry.GetAliasAsync(new GetAliasRequest { Model = Model, Alias = "champion" });
    }

    private Task<TrainingJob> WaitUntilFinishedAsync(string id) =>
        Eventually.WaitForAsync(
            async () => await Training.GetJobAsync(new GetJobRequest { Id = id }),
            job => job.Status.State is JobState.Succeeded or JobState.Failed or JobState.Cancelled, $"scoring job {id} finishes", TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(50));

    /// <summary>The offline store's rows of the job's view version below its watermark, in log order: what the job had to score.</summary>
    private async Task<IReadOnlyList<OfflineFeatureRow>> MaterializedRowsAsync(TrainingJob job)
    {
        var offline = _host.Host.Services.GetRequiredService<IOfflineStore>();
        var rows = await offline.ReadAsync(View, job.Spec.FeatureViewVersion, job.Spec.Watermark.Partitions.ToDictionary(p => p.Partition, p => p.Offset), labeledOnly: false);
        return rows.OrderBy(r => r.Partition).ThenBy(r => r.Offset).ToArray();
    }

    private async Task<ModelArtifact> LoadArtifactAsync(ModelVersion version)
    {
        var directory = Path.Combine(_data, $"v{version.Meta.Version}");
        ArtifactArchive.Unpack(await DownloadAsync(version.Spec.ArtifactSha256), directory);
        return ModelArtifact.Load(directory);
    }

    /// <summary>An artifact through the Registry's download API, as the CLI fetches it.</summary>
    private async Task<byte[]> DownloadAsync(string sha256)
    {
        using var call = Registry.DownloadArtifact(new DownloadArtifactRequest { Sha256 = sha256 });
        using var bytes = new MemoryStream();
        while (await call.ResponseStream.MoveNext(CancellationToken.None)) call.ResponseStream.Current.Data.WriteTo(bytes);
        return bytes.ToArray();
    }

    private sealed record Scores(string[] EntityIds, DateTime[] EventTimes, float[] Predictions, IReadOnlyDictionary<string, string> Metadata);

    private async Task<Scores> ReadScoresAsync(string sha256)
    {
        await using var reader = await ParquetReader.CreateAsync(new MemoryStream(await DownloadAsync(sha256)));
        var fields = reader.Schema.GetDataFields();
        fields.Select(f => f.Name).Should().Equal(ScoresParquetFile.EntityIdColumn, ScoresParquetFile.EventTimeColumn, "prediction");
        var (ids, times, predictions) = (new List<string>(), new List<DateTime>(), new List<float>());
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var count = (int)group.RowCount;
            var id = new string?[count];
            var time = new DateTime[count];
            var prediction = new float[count];
            await group.ReadAsync(fields[0], id.AsMemory());
            await group.ReadAsync(fields[1], time.AsMemory());
            await group.ReadAsync(fields[2], prediction.AsMemory());
            (ids, times, predictions) = ([.. ids, .. id.Select(x => x ?? string.Empty)], [.. times, .. time], [.. predictions, .. prediction]);
        }
        return new Scores([.. ids], [.. times], [.. predictions], reader.CustomMetadata);
    }
}
