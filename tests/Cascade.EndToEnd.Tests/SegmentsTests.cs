using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Monitoring.V1;
using Cascade.Contracts.Serving.V1;
using Cascade.Contracts.Training.V1;
using Cascade.EventLog.Abstractions;
using Cascade.Ml.Artifacts;
using Cascade.Serving.Privacy;
using Cascade.Storage.Artifacts;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using FeaturesClient = Cascade.Contracts.Features.V1.Features.FeaturesClient;
using IngestionClient = Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient;
using MonitoringClient = Cascade.Contracts.Monitoring.V1.Monitoring.MonitoringClient;
using Record = Cascade.Contracts.Ingestion.V1.Record;
using ServingClient = Cascade.Contracts.Serving.V1.Serving.ServingClient;
using TrainingClient = Cascade.Contracts.Training.V1.Training.TrainingClient;
using Value = Cascade.Contracts.Common.V1.Value;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.EndToEnd.Tests;

/// <summary>
/// Segments named in the training policy, through the whole cascade: a policy watches applicants by gender, a sensitive
/// column the model does not read; the trained version's manifest records it; clients send each applicant's gender with
/// the request and the predictions topic carries it as its keyed hash; when one gender's traffic moves while the whole
/// stays within thresholds, Monitoring raises SEGMENT_DEGRADED for that group, and the fairness summary lists both.
/// </summary>
public sealed class SegmentsTests : IAsyncLifetime
{
    private const string Dataset = "applicants";
    private const string View = "applicants-view";
    private const string Model = "applicants-model";
    private static readonly DateTimeOffset Start = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly string _data = Directory.CreateTempSubdirectory("cascade-segments-e2e-").FullName;
    private InProcessHost _host = null!;

    public async Task InitializeAsync() => _host = await InProcessHost.StartAsync(_data);

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    /// <summary>Applicant <paramref name="i"/>: the label follows the amount; tenure hardly matters; one in six is a woman.</summary>
    private static (float Amount, float Tenure, string Gender) Applicant(Random random, int i) =>
        ((float)(random.NextDouble() * 100), (float)(5 + 2 * Normal(random)), i % 6 == 0 ? "female" : "male");

    private static double Normal(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Fact]
    public async Task A_group_of_a_column_the_model_does_not_read_degrading_while_the_whole_looks_fine_raises_segment_degraded()
    {
        await new IngestionClient(_host.Channel).RegisterDatasetAsync(new RegisterDatasetRequest
        {
            Spec = new DatasetSpec
            {
                Name = Dataset, EntityColumn = "applicant_id", EventTimeColumn = "ts", LabelColumn = "label",
                Columns =
                {
                    new ColumnSpec { Name = "amount", Type = ValueType.Float64 },
                    new ColumnSpec { Name = "tenure", Type = ValueType.Float64 },
                    new ColumnSpec { Name = "gender", Type = ValueType.String, Sensitive = true },
                },
            },
        });
        await new FeaturesClient(_host.Channel).ApplyFeatureViewAsync(new ApplyFeatureViewRequest
        {
            Spec = new FeatureViewSpec { Name = View, Dataset = Dataset, Passthrough = { "amount", "tenure" } },
        });
        await new TrainingClient(_host.Channel).PutTrainingPolicyAsync(new PutTrainingPolicyRequest
        {
            Spec = new TrainingPolicySpec
            {
                Model = Model, Dataset = Dataset, FeatureView = View, Objective = "binary:logistic", Parameters = { ["max_depth"] = "3" }, Rounds = 20,
                HoldoutFraction = 0.2, Triggers = new Triggers { EveryNewLabeledRows = 1500 },
                Monitoring = new MonitoringPolicy { Segment = new SegmentPolicy { Column = "gender" } },
            },
        });
        var random = new Random(3);
        var records = new IngestRequest { Dataset = Dataset };
        for (var i = 0; i < 1500; i++)
        {
            var (amount, tenure, gender) = Applicant(random, i);
            records.Records.Add(new Record
            {
                RecordId = $"r{i}", EntityId = $"applicant-{i}", EventTime = Timestamp.FromDateTimeOffset(Start.AddSeconds(i)), Label = (amount > 50) ^ (random.NextDouble() < 0.1) ? 1 : 0,
                Values = { ["amount"] = new Value { Float64Value = amount }, ["tenure"] = new Value { Float64Value = tenure }, ["gender"] = new Value { StringValue = gender } },
            });
        }
        await new IngestionClient(_host.Channel).IngestBatchAsync(records);
        var serving = new ServingClient(_host.Channel);
        await Eventually.WaitUntilAsync(async () => (await serving.GetServingStatusAsync(new GetServingStatusRequest())).Models.Any(m => m.Model == Model),
            "the policy trains, promotes and serves a model", TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(100));

        // The version carries the policy's segment column in its manifest.
        var served = (await serving.GetServingStatusAsync(new GetServingStatusRequest())).Models.Single(m => m.Model == Model);
        var archive = await _host.Host.Services.GetRequiredService<IArtifactStore>().GetAsync(served.ArtifactSha256);
        var manifest = System.Text.Json.JsonSerializer.Deserialize<ModelManifest>(ArtifactArchive.ReadFile(archive, ArtifactFiles.Manifest))!;
        manifest.Monitoring!.Segment.Should().BeEquivalentTo(new { Column = "gender", Kind = ModelSegment.Categorical, MaxSegments = 10 });

        // The client sends the gender (the model does not read it); the log carries its keyed hash, never the value.
        var hasher = new PrivacyHasher(Convert.FromBase64String(File.ReadAllText(Path.Combine(_data, "serving", PrivacyKey.FileName))));
        var (female, male) = ("hash:" + hasher.HashText("gender", "female"), "hash:" + hasher.HashText("gender", "male"));
        var one = await serving.PredictAsync(new PredictRequest { Model = Model, Features = new FeatureVector { Values = { 60f, 5f } }, Segment = "female" });
        (await LoggedAsync(one.PredictionId)).Segment.Should().Be(female);

        // Stationary traffic fills each group's baseline; then women's tenure rises by 1σ: a sixth of the traffic moves.
        for (var batch = 0; batch < 36; batch++)
        {
            var request = new PredictBatchRequest { Model = Model, Rows = 100 };
            for (var i = batch * 100; i < (batch + 1) * 100; i++)
            {
                var (amount, tenure, gender) = Applicant(random, i);
                request.Features.Add([amount, batch >= 18 && gender == "female" ? tenure + 2 : tenure]);
                request.Segments.Add(gender);
            }
            await serving.PredictBatchAsync(request);
        }

        var monitoring = new MonitoringClient(_host.Channel);
        var alerts = await Eventually.WaitForAsync(
            async () => (await monitoring.ListAlertsAsync(new ListAlertsRequest { Model = Model })).Alerts.ToArray(),
            a => a.Any(alert => alert.Kind == DriftKind.SegmentDegraded), "the women's group is alerted", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
        var degraded = alerts.Where(a => a.Kind == DriftKind.SegmentDegraded).ToArray();
        degraded.Should().OnlyContain(a => a.DedupKey == $"{Model}/v{served.Version}/segment-degraded/gender={female}", "only the women's traffic moved");
        degraded[0].TopFeatures.Select(f => f.Feature).Should().Contain("tenure");
        alerts.Should().NotContain(a => a.Kind == DriftKind.Feature, "a sixth of the traffic moved by 1σ: the whole stays within its thresholds");
        var health = await monitoring.GetModelHealthAsync(new GetModelHealthRequest { Model = Model });
        health.SegmentProblem.Should().BeEmpty();
        health.Fairness.Column.Should().Be("gender");
        health.Fairness.Segments.Select(s => s.Segment).Should().BeEquivalentTo([female, male]);
        health.Fairness.Segments.Single(s => s.Segment == male).Drift.Should().Be(Severity.Unspecified);
        health.Fairness.Segments.Single(s => s.Segment == female).Count.Should().BeInRange(50, 120, "a sixth of the 500 predictions in the drift window");
    }

    /// <summary>The logged prediction with that id, read from the predictions topic.</summary>
    private async Task<PredictionLogged> LoggedAsync(string predictionId)
    {
        var log = _host.Host.Services.GetRequiredService<IEventLog>();
        await using var consumer = log.Subscribe(new ConsumerOptions($"test.{Guid.NewGuid():N}", [Topics.PredictionsLogged]));
        return (await Eventually.WaitForAsync(
            async () =>
            {
                foreach (var record in await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(200)))
                {
                    var prediction = EventEnvelopes.Unwrap(EventEnvelope.Parser.ParseFrom(record.Value.Span), PredictionLogged.Parser);
                    if (prediction.PredictionId == predictionId) return prediction;
                }
                return null;
            },
            p => p is not null, "the prediction is logged", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(10)))!;
    }
}
