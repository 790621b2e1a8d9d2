using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Monitoring.V1;
using Cascade.Contracts.Serving.V1;
using Cascade.Contracts.Training.V1;
using Cascade.EventLog.Abstractions;
using Cascade.Serving.Privacy;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
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
/// Sensitive columns through the whole cascade: a model scores a sensitive age (hash), income (drop) and one-hot postcode
/// (hash) with their real values, while the prediction log carries NaN in their place (with the keyed hash, or nothing),
/// Monitoring measures only the plain feature, and when everything drifts the alerts name neither them nor a postcode.
/// </summary>
public sealed class PrivacyTests : IAsyncLifetime
{
    private const string Dataset = "patients";
    private const string View = "patients-view";
    private const string Model = "patients-model";
    private static readonly DateTimeOffset Start = new(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] Postcodes = ["75001", "69001", "13001"];

    private readonly string _data = Directory.CreateTempSubdirectory("cascade-privacy-e2e-").FullName;
    private InProcessHost _host = null!;

    // The window counts every prediction: the test fills it with 40 patients re-scored with features that no longer change.
    public async Task InitializeAsync() => _host = await InProcessHost.StartAsync(_data, "--Cascade:Monitoring:Drift:Window:SkipRepeatedInputs=false");

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    /// <summary>40 patients; the label follows the amount; <paramref name="shifted"/> moves every column far from the training data.</summary>
    private static IEnumerable<Record> Records(int from, int count, bool shifted = false)
    {
        var random = new Random(from);
        for (var i = from; i < from + count; i++)
        {
            var amount = random.NextDouble() * 100 + (shifted ? 300 : 0);
            var record = new Record { RecordId = $"r{i}", EntityId = $"patient-{i % 40:00}", EventTime = Timestamp.FromDateTimeOffset(Start.AddSeconds(i)) };
            if (!shifted) record.Label = (amount > 50) ^ (random.NextDouble() < 0.1) ? 1 : 0;
            record.Values["amount"] = new Value { Float64Value = Math.Round(amount, 2) };
            record.Values["age"] = new Value { Float64Value = random.Next(20, 80) + (shifted ? 60 : 0) };
            record.Values["income"] = new Value { Float64Value = random.Next(20_000, 90_000) * (shifted ? 5 : 1) };
            record.Values["postcode"] = new Value { StringValue = shifted ? "13001" : Postcodes[random.Next(2)] };
            yield return record;
        }
    }

    private async Task IngestAsync(IEnumerable<Record> records) =>
        await new IngestionClient(_host.Channel).IngestBatchAsync(new IngestRequest { Dataset = Dataset, Records = { records } });

    [Fact]
    public async Task Sensitive_features_are_scored_but_never_logged_nor_measured_nor_named_in_alerts()
    {
        await new IngestionClient(_host.Channel).RegisterDatasetAsync(new RegisterDatasetRequest
        {
            Spec = new DatasetSpec
            {
                Name = Dataset, EntityColumn = "patient_id", EventTimeColumn = "ts", LabelColumn = "label",
                Columns =
                {
                    new ColumnSpec { Name = "amount", Type = ValueType.Float64 },
                    new ColumnSpec { Name = "age", Type = ValueType.Float64, Sensitive = true },
                    new ColumnSpec { Name = "income", Type = ValueType.Float64, Sensitive = true, Privacy = ColumnPrivacy.Drop },
                    new ColumnSpec { Name = "postcode", Type = ValueType.String, Sensitive = true, Privacy = ColumnPrivacy.Hash },
                },
            },
        });
        var view = await new FeaturesClient(_host.Channel).ApplyFeatureViewAsync(new ApplyFeatureViewRequest
        {
            Spec = new FeatureViewSpec
            {
                Name = View, Dataset = Dataset, Passthrough = { "amount", "age", "income" },
                Categoricals = { new CategoricalFeature { Column = "postcode", Encoding = CategoricalEncoding.OneHot, Vocabulary = { Postcodes } } },
            },
        });
        view.Meta.FeatureNames.Should().Equal("amount", "age", "income", "postcode=75001", "postcode=69001", "postcode=13001");
        await new TrainingClient(_host.Channel).PutTrainingPolicyAsync(new PutTrainingPolicyRequest
        {
            Spec = new TrainingPolicySpec
            {
                Model = Model, Dataset = Dataset, FeatureView = View, Objective = "binary:logistic",
                Parameters = { ["max_depth"] = "3" }, Rounds = 20, HoldoutFraction = 0.2, Triggers = new Triggers { EveryNewLabeledRows = 1000 },
            },
        });
        await IngestAsync(Records(0, 1200));
        var serving = new ServingClient(_host.Channel);
        await Eventually.WaitUntilAsync(async () => (await serving.GetServingStatusAsync(new GetServingStatusRequest())).Models.Any(m => m.Model == Model),
            "the policy trains, promotes and serves a model", TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(100));

        // Scored with the real values: by entity, the answer is the one for the entity's whole vector.
        var online = (await new FeaturesClient(_host.Channel).GetOnlineFeaturesAsync(new GetOnlineFeaturesRequest { FeatureView = View, EntityIds = { "patient-07" } })).Entities.Single().Values.ToArray();
        var byEntity = await serving.PredictAsync(new PredictRequest { Model = Model, EntityId = "patient-07" });
        var byVector = await serving.PredictAsync(new PredictRequest { Model = Model, Features = new FeatureVector { Values = { online.Select(v => (float)v) } } });
        byEntity.Outputs.Should().Equal(byVector.Outputs);

        // Logged without them: NaN in their place, a keyed hash for age and the postcode (as one value), nothing for income.
        var logged = await LoggedAsync(byEntity.PredictionId);
        var scored = online.Select(v => (float)v).ToArray();
        logged.Features[0].Should().Be(scored[0], "amount is not sensitive");
        logged.Features.Skip(1).Should().OnlyContain(v => float.IsNaN(v));
        logged.Withheld.Select(w => (w.Name, string.Join(",", w.Indexes))).Should().Equal(("age", "1"), ("income", "2"), ("postcode", "3,4,5"));
        var hasher = new PrivacyHasher(Convert.FromBase64String(File.ReadAllText(Path.Combine(_data, "serving", PrivacyKey.FileName))));
        logged.Withheld[0].Hash.Should().Be(hasher.Hash("age", scored, [1]), "the hash is keyed with Serving's key");
        logged.Withheld[1].Hash.Should().BeEmpty("income is dropped");
        logged.Withheld[2].Hash.Should().Be(hasher.Hash("postcode", scored, [3, 4, 5]));

        // Everything drifts; Monitoring measures amount alone, and its alerts name neither a sensitive feature nor a postcode.
        await IngestAsync(Records(5000, 40, shifted: true));
        await Eventually.WaitUntilAsync(async () => (await new FeaturesClient(_host.Channel).GetOnlineFeaturesAsync(new GetOnlineFeaturesRequest { FeatureView = View, EntityIds = { "patient-39" } })).Entities.Single().Values[0] > 250,
            "the shifted records are materialized", TimeSpan.FromSeconds(30));
        for (var i = 0; i < 700; i++) await serving.PredictAsync(new PredictRequest { Model = Model, EntityId = $"patient-{i % 40:00}" });
        var monitoring = new MonitoringClient(_host.Channel);
        var alerts = await Eventually.WaitForAsync(
            async () => (await monitoring.ListAlertsAsync(new ListAlertsRequest { Model = Model })).Alerts.ToArray(),
            a => a.Any(alert => alert.Kind == DriftKind.Feature), "amount's drift is alerted", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
        alerts.SelectMany(a => a.TopFeatures).Select(f => f.Feature).Should().OnlyContain(f => f == "amount" || f == "prediction");
        alerts.SelectMany(a => a.TopFeatures).SelectMany(f => f.Categories).Should().BeEmpty();
        alerts.Select(a => a.Summary).Should().OnlyContain(s => !s.Contains("postcode") && !s.Contains("income") && !s.Contains("13001"));
        var health = await monitoring.GetModelHealthAsync(new GetModelHealthRequest { Model = Model });
        health.Features.Select(f => f.Feature).Should().Equal("amount");
        health.WithheldFeatures.Should().BeEquivalentTo(["age", "income", "postcode"]);
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
