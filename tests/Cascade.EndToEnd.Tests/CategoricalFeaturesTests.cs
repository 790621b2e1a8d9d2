using System.Text.Json;
using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Registry.V1;
using Cascade.Contracts.Serving.V1;
using Cascade.Contracts.Training.V1;
using Cascade.Ml.Artifacts;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using FeaturesClient = Cascade.Contracts.Features.V1.Features.FeaturesClient;
using IngestionClient = Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient;
using Record = Cascade.Contracts.Ingestion.V1.Record;
using RegistryClient = Cascade.Contracts.Registry.V1.Registry.RegistryClient;
using ServingClient = Cascade.Contracts.Serving.V1.Serving.ServingClient;
using TrainingClient = Cascade.Contracts.Training.V1.Training.TrainingClient;
using Value = Cascade.Contracts.Common.V1.Value;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.EndToEnd.Tests;

/// <summary>
/// String columns as model features through the whole cascade: a dataset with a string column, a view with a ONE_HOT
/// top_k = 3 column and an ORDINAL one, records ingested, a model trained by the policy and served, predictions by
/// entity id, and the artifact's manifest carrying the vocabularies.
/// </summary>
public sealed class CategoricalFeaturesTests : IAsyncLifetime
{
    private const string Dataset = "stores";
    private const string View = "stores-view";
    private const string Model = "stores-model";
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] Cities = ["paris", "paris", "paris", "paris", "lyon", "lyon", "lyon", "nice", "nice", "lille", "rome"];
    private static readonly string[] Sizes = ["S", "M", "L", "XL"];

    private readonly string _data = Directory.CreateTempSubdirectory("cascade-categorical-e2e-").FullName;
    private InProcessHost _host = null!;

    // The window counts every prediction: the test fills it with 60 stores re-scored with features that no longer change.
    public async Task InitializeAsync() => _host = await InProcessHost.StartAsync(_data, "--Cascade:Monitoring:Drift:Window:SkipRepeatedInputs=false");

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    /// <summary>Records of 60 stores; the label follows the city (lyon) and the size (L), with 10% noise.</summary>
    private static IEnumerable<Record> Records(int from, int count)
    {
        var random = new Random(from);
        for (var i = from; i < from + count; i++)
        {
            var city = Cities[random.Next(Cities.Length)];
            var size = Sizes[random.Next(Sizes.Length)];
            var record = new Record
            {
                RecordId = $"r{i}", EntityId = $"store-{i % 60:00}", EventTime = Timestamp.FromDateTimeOffset(Start.AddSeconds(i)),
                Label = (city == "lyon" || size == "L") ^ (random.NextDouble() < 0.1) ? 1 : 0,
            };
            record.Values["city"] = new Value { StringValue = city };
            record.Values["size"] = new Value { StringValue = size };
            record.Values["amount"] = new Value { Float64Value = Math.Round(random.NextDouble() * 100, 2) };
            yield return record;
        }
    }

    private async Task IngestAsync(int from, int count)
    {
        var request = new IngestRequest { Dataset = Dataset, Records = { Records(from, count) } };
        (await new IngestionClient(_host.Channel).IngestBatchAsync(request)).Accepted.Should().Be(count);
    }

    [Fact]
    public async Task A_model_trained_on_string_columns_is_served_by_entity_and_its_manifest_carries_the_vocabularies()
    {
        await new IngestionClient(_host.Channel).RegisterDatasetAsync(new RegisterDatasetRequest
        {
            Spec = new DatasetSpec
            {
                Name = Dataset, EntityColumn = "store_id", EventTimeColumn = "ts", LabelColumn = "label",
                Columns =
                {
                    new ColumnSpec { Name = "city", Type = ValueType.String },
                    new ColumnSpec { Name = "size", Type = ValueType.String },
                    new ColumnSpec { Name = "amount", Type = ValueType.Float64 },
                },
            },
        });
        await IngestAsync(0, 400); // top_k needs data to count

        var view = await new FeaturesClient(_host.Channel).ApplyFeatureViewAsync(new ApplyFeatureViewRequest
        {
            Spec = new FeatureViewSpec
            {
                Name = View, Dataset = Dataset, Passthrough = { "amount" },
                Categoricals =
                {
                    new CategoricalFeature { Column = "city", Encoding = CategoricalEncoding.OneHot, TopK = 3 },
                    new CategoricalFeature { Column = "size", Encoding = CategoricalEncoding.Ordinal, Vocabulary = { "S", "M", "L" } },
                },
            },
        });
        var cities = view.Meta.Categoricals[0].Vocabulary.ToArray();
        cities.Should().Equal("paris", "lyon", "nice");
        view.Meta.FeatureNames.Should().Equal("amount", "city=paris", "city=lyon", "city=nice", "size");

        await new TrainingClient(_host.Channel).PutTrainingPolicyAsync(new PutTrainingPolicyRequest
        {
            Spec = new TrainingPolicySpec
            {
                Model = Model, Dataset = Dataset, FeatureView = View, Objective = "binary:logistic",
                Parameters = { ["max_depth"] = "3" }, Rounds = 20, HoldoutFraction = 0.2,
                Triggers = new Triggers { EveryNewLabeledRows = 1000 },
            },
        });
        await IngestAsync(400, 1000);

        var serving = new ServingClient(_host.Channel);
        await Eventually.WaitUntilAsync(async () => (await serving.GetServingStatusAsync(new GetServingStatusRequest())).Models.Any(m => m.Model == Model),
            "the policy trains, promotes and serves a model", TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(100));

        // By entity id: Serving reads the entity's encoded vector from the online store; the same vector given directly agrees.
        var online = await new FeaturesClient(_host.Channel).GetOnlineFeaturesAsync(new GetOnlineFeaturesRequest { FeatureView = View, EntityIds = { "store-07" } });
        online.FeatureNames.Should().Equal(view.Meta.FeatureNames);
        var vector = online.Entities.Single().Values;
        vector.Skip(1).Take(3).Should().Match(v => v.All(double.IsNaN) || (v.Count(x => x == 1) == 1 && v.Count(x => x == 0) == 2), "one-hot, or NaN for lille and rome");
        var byEntity = await serving.PredictAsync(new PredictRequest { Model = Model, EntityId = "store-07" });
        byEntity.Outputs.Should().ContainSingle().Which.Should().BeInRange(0, 1);
        var byVector = await serving.PredictAsync(new PredictRequest { Model = Model, Features = new FeatureVector { Values = { vector.Select(v => (float)v) } } });
        byVector.Outputs.Should().Equal(byEntity.Outputs);

        // The artifact: the manifest's categorical section and the reference profile's category counts.
        var version = await new RegistryClient(_host.Channel).GetModelVersionAsync(new GetModelVersionRequest { Model = Model, Version = byEntity.Version });
        var archive = new MemoryStream();
        using (var download = new RegistryClient(_host.Channel).DownloadArtifact(new DownloadArtifactRequest { Sha256 = version.Spec.ArtifactSha256 }))
        {
            await foreach (var chunk in download.ResponseStream.ReadAllAsync()) chunk.Data.WriteTo(archive);
        }
        var manifest = JsonSerializer.Deserialize<ModelManifest>(ArtifactArchive.ReadFile(archive.ToArray(), ArtifactFiles.Manifest))!;
        manifest.FeatureNames.Should().Equal(view.Meta.FeatureNames);
        manifest.Categorical.Should().HaveCount(2);
        manifest.Categorical![0].Column.Should().Be("city");
        manifest.Categorical[0].Vocabulary.Should().Equal(cities);
        manifest.Categorical[0].FeatureNames.Should().Equal("city=paris", "city=lyon", "city=nice");
        manifest.Categorical[1].Vocabulary.Should().Equal("S", "M", "L");
        var profile = ReferenceProfile.FromJson(ArtifactArchive.ReadFile(archive.ToArray(), ArtifactFiles.ReferenceProfile));
        var city = profile.Categorical!.Single(c => c.Encoding.Column == "city");
        city.MissingCount.Should().BeGreaterThan(0, "lille and rome are outside the top 3");
        city.Counts[0].Should().BeGreaterThan(city.Counts[2], "paris is the most frequent city");

        // Monitoring watches the version with that profile and, once its window (500) is full, judges each categorical column as a whole.
        for (var i = 0; i < 600; i++) await serving.PredictAsync(new PredictRequest { Model = Model, EntityId = $"store-{i % 60:00}" });
        var monitoring = new Cascade.Contracts.Monitoring.V1.Monitoring.MonitoringClient(_host.Channel);
        var health = (await Eventually.WaitForAsync(
            async () =>
            {
                try { return await monitoring.GetModelHealthAsync(new Cascade.Contracts.Monitoring.V1.GetModelHealthRequest { Model = Model }); }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound) { return null; }
            },
            h => h is not null && h.Version == byEntity.Version && h.Features.Count > 0,
            "Monitoring follows the promotion and evaluates a full window", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100)))!;
        // Judged as columns: city on its categories, not as city=paris, city=lyon, city=nice.
        health.NoReferenceProfile.Should().BeFalse();
        health.Features.Select(f => f.Feature).Should().BeEquivalentTo(["amount", "city", "size"]);
        var cityDrift = health.Features.Single(f => f.Feature == "city");
        cityDrift.ChiSquaredPValue.Should().BeInRange(0, 1);
        cityDrift.Categories.Should().NotBeEmpty();
    }
}
