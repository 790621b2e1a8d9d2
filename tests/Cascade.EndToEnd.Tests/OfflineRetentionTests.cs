using System.Net.Http;
using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Registry.V1;
using Cascade.Contracts.Training.V1;
using Cascade.EndToEnd.Tests.Fixtures;
using Cascade.Features.Retention;
using Cascade.Registry.Retention;
using Cascade.Storage.OfflineStore;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using Record = Cascade.Contracts.Ingestion.V1.Record;
using Value = Cascade.Contracts.Common.V1.Value;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.EndToEnd.Tests;

/// <summary>
/// Offline-store retention through the all-in-one host: with every row far past a one-second age, a pass keeps exactly
/// the training windows of the versions whose artifacts the registry keeps, each version still reproduces byte for
/// byte (<c>cascade models reproduce</c>), and once the registry collects a version's artifact the next pass lets its
/// rows go.
/// </summary>
public sealed class OfflineRetentionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Model = "kept-model";
    private const string View = "kept-view";
    private const int Cap = 300;
    private static readonly Dictionary<int, long> Everything = Enumerable.Range(0, 64).ToDictionary(p => p, _ => long.MaxValue);
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-offline-retention-").FullName;
    private InProcessHost _host = null!;
    private int _records;

    public async Task InitializeAsync()
    {
        // Passes run on demand here (Interval 0), so none can race a job in flight; the registry keeps only champion and latest.
        _host = await InProcessHost.StartAsync(_data,
            "--Cascade:Features:Retention:MaxAge=00:00:01", "--Cascade:Features:Retention:Interval=00:00:00", "--Cascade:Features:Retention:BatchSize=97",
            "--Cascade:Registry:Retention:KeepNewest=1", "--Cascade:Registry:Retention:KeepYoungerThan=00:00:00", "--Cascade:Registry:Retention:Interval=00:00:00");
        var dataset = new DatasetSpec { Name = "kept", EntityColumn = "device", EventTimeColumn = "time", LabelColumn = "label" };
        dataset.Columns.Add(new ColumnSpec { Name = "a", Type = ValueType.Float64, Required = true });
        dataset.Columns.Add(new ColumnSpec { Name = "b", Type = ValueType.Float64, Required = true });
        await new Contracts.Ingestion.V1.Ingestion.IngestionClient(_host.Channel).RegisterDatasetAsync(new RegisterDatasetRequest { Spec = dataset });
        await new Contracts.Features.V1.Features.FeaturesClient(_host.Channel).ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = new FeatureViewSpec { Name = View, Dataset = "kept", Passthrough = { "a", "b" } } });
        await new Contracts.Training.V1.Training.TrainingClient(_host.Channel).PutTrainingPolicyAsync(new PutTrainingPolicyRequest
        {
            Spec = new TrainingPolicySpec
            {
                Model = Model, Dataset = "kept", FeatureView = View, Objective = "binary:logistic", Rounds = 20, MaxTrainingRows = Cap,
                ValidationFraction = 0.1, HoldoutFraction = 0.2, Parameters = { ["max_depth"] = "4" },
                Resources = new ResourceRequest { Accelerator = ResourceRequest.Types.Accelerator.Cpu },
                Triggers = new Contracts.Training.V1.Triggers { EveryNewLabeledRows = 1000 },
            },
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    /// <summary>Ingests 1,000 labeled records (event times in 1970: far past any age) and waits for the job they trigger.</summary>
    private async Task<ModelVersion> TrainAsync(int jobs)
    {
        var random = new Random(_records);
        var request = new IngestRequest { Dataset = "kept" };
        for (var i = 0; i < 1000; i++, _records++)
        {
            var (a, b) = (random.NextDouble() * 2 - 1, random.NextDouble() * 2 - 1);
            request.Records.Add(new Record
            {
                RecordId = $"r{_records}", EntityId = $"d{_records % 50}", EventTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(_records)),
                Values = { ["a"] = new Value { Float64Value = a }, ["b"] = new Value { Float64Value = b } },
                Label = a + 0.5 * b + (random.NextDouble() - 0.5) * 0.6 > 0 ? 1 : 0,
            });
        }
        await new Contracts.Ingestion.V1.Ingestion.IngestionClient(_host.Channel).IngestBatchAsync(request);
        var ended = await Eventually.WaitForAsync(
            async () => (await new Contracts.Training.V1.Training.TrainingClient(_host.Channel).ListJobsAsync(new ListJobsRequest { Model = Model })).Jobs.Where(j => j.Status.State is JobState.Succeeded or JobState.Failed).ToArray(),
            done => done.Length >= jobs, $"training job {jobs} ends", TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(100));
        var job = ended.OrderByDescending(j => j.Status.FinishedAt?.ToDateTimeOffset()).First();
        job.Status.State.Should().Be(JobState.Succeeded, job.Status.Error);
        return await Registry.GetModelVersionAsync(new GetModelVersionRequest { Model = Model, Version = job.Status.ModelVersion });
    }

    private Contracts.Registry.V1.Registry.RegistryClient Registry => new(_host.Channel);

    private IOfflineStore Offline => _host.Host.Services.GetRequiredService<IOfflineStore>();

    /// <summary>The rows a version's job read, as its reader reads them: the newest cap + 1 labeled rows below its watermark.</summary>
    private async Task<(int, long)[]> WindowAsync(ModelVersion version)
    {
        var lineage = version.Spec.Lineage;
        var rows = await Offline.ReadLatestAsync(lineage.FeatureView, lineage.FeatureViewVersion, lineage.Watermark.Partitions.ToDictionary(p => p.Partition, p => p.Offset), labeledOnly: true, Cap + 1);
        return [.. rows.Select(r => (r.Partition, r.Offset))];
    }

    private async Task<(int, long)[]> StoredAsync() => [.. (await Offline.ReadAsync(View, 1, Everything, labeledOnly: false)).Select(r => (r.Partition, r.Offset))];

    private async Task ReproducesIdenticallyAsync(ModelVersion version)
    {
        var result = await CascadeCli.RunAsync("models", "reproduce", $"{Model}/{version.Meta.Version}", "--data", _data, "--grpc", _host.Grpc);
        output.WriteLine(result.ToString());
        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("model.json: identical").And.Contain("result: identical");
    }

    [Fact]
    public async Task A_pass_keeps_exactly_the_kept_versions_training_windows_each_reproduces_identically_and_a_collected_version_lets_its_rows_go()
    {
        var v1 = await TrainAsync(jobs: 1);
        var v2 = await TrainAsync(jobs: 2);
        v1.Spec.Lineage.Parameters.Should().Contain(KeptVersionMapping.MaxTrainingRowsParameter, Cap.ToString(), "the cap the holds read is recorded under this name");
        var (window1, window2) = (await WindowAsync(v1), await WindowAsync(v2));
        window1.Should().HaveCount(Cap + 1).And.NotIntersectWith(window2, "v2 was trained on the newer thousand records");
        (await StoredAsync()).Should().HaveCount(2000);
        var retention = _host.Host.Services.GetRequiredService<OfflineRetention>();

        var first = await retention.RunPassAsync();

        (first.KeptVersions, first.RowsDeleted).Should().Be((2, 2000 - 2 * (Cap + 1)));
        (await StoredAsync()).Should().BeEquivalentTo(window1.Concat(window2), "every row is past the one-second age; only the two windows are held");
        (await WindowAsync(v1)).Should().Equal(window1);
        (await WindowAsync(v2)).Should().Equal(window2);
        await ReproducesIdenticallyAsync(v1);

        // v2 becomes champion; with KeepNewest=1 and no minimum age the registry then collects v1's artifact.
        await Registry.PromoteModelVersionAsync(new PromoteModelVersionRequest { Model = Model, Version = v2.Meta.Version, Force = true, Reason = "retention test" });
        var collected = await _host.Host.Services.GetRequiredService<ArtifactCollector>().CollectAsync();
        collected.Collected.Select(c => c.Version).Should().Equal(v1.Meta.Version);

        var second = await retention.RunPassAsync();

        (second.KeptVersions, second.RowsDeleted).Should().Be((1, Cap + 1), "v1's window is no longer held");
        (await StoredAsync()).Should().BeEquivalentTo(window2);
        await ReproducesIdenticallyAsync(v2);
        (await Offline.CountLabeledAsync(View, 1)).Should().Be(2000, "deleted rows still count for the training triggers");

        using var http = new HttpClient();
        var metrics = await http.GetStringAsync($"{_host.Http}/metrics");
        metrics.Should().MatchRegex($"cascade_features_offline_rows_deleted_total\\{{[^}}]*view=\"{View}\"[^}}]*\\}} {2000 - Cap - 1}\\b");
        metrics.Should().MatchRegex("cascade_features_offline_retention_passes_total\\{[^}]*outcome=\"completed\"[^}]*\\} 2\\b");
    }
}
