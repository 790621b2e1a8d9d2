using System.Globalization;
using System.Text;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Features.V1;
using Cascade.EventLog.Abstractions;
using Cascade.Features.Domain;
using Cascade.Features.Erasure;
using Cascade.Features.Materialization;
using Cascade.Features.Storage;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Ml.Offline;
using Cascade.Ml.Training;
using Cascade.Storage.OfflineStore;
using Cascade.Storage.OnlineStore;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Value = Cascade.Contracts.Common.V1.Value;
using WireEncoding = Cascade.Contracts.Common.V1.CategoricalEncoding;

namespace Cascade.Features.Tests.Categorical;

/// <summary>
/// <c>cascade predict --csv</c> on raw string cells gives the model exactly the vectors Features materialized from the
/// same values (bit for bit, NaN where NaN), and so the same predictions: offline scoring needs no feature service.
/// </summary>
public sealed class CsvPredictionParityTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string?[] Cities = ["paris", "lyon", "nice", "rome", null, "Paris"];
    private static readonly string?[] Sizes = ["S", "M", "L", "XL", null];
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-parity-").FullName;

    private static readonly FeatureViewDefinition View = FeatureViewDefinition.From(new FeatureViewSpec
    {
        Name = "shop",
        Dataset = "orders",
        Passthrough = { "amount" },
        Categoricals =
        {
            new CategoricalFeature { Column = "city", Encoding = WireEncoding.OneHot, TopK = 3 },
            new CategoricalFeature { Column = "size", Encoding = WireEncoding.Ordinal, Vocabulary = { "S", "M", "L" } },
            new CategoricalFeature { Column = "floor", Encoding = WireEncoding.OneHot, Vocabulary = { "0", "1", "2" }, Name = "level" },
        },
    }, 1, new Dictionary<string, IReadOnlyList<string>> { ["city"] = ["paris", "lyon", "nice"] });

    [Fact]
    public async Task Csv_rows_of_raw_values_encode_to_the_materialized_vectors_and_predict_alike()
    {
        // One record per entity, so each entity's vector is its record's values.
        var random = new Random(3);
        var raw = Enumerable.Range(0, 400).Select(i => (Entity: $"e{i}", Amount: Math.Round(random.NextDouble() * 100, 2), City: Cities[random.Next(Cities.Length)], Size: Sizes[random.Next(Sizes.Length)], Floor: random.Next(4))).ToArray();
        var records = raw.Select((r, i) =>
        {
            var record = new DataRecord { Dataset = "orders", RecordId = $"r{i}", EntityId = r.Entity, EventTime = Timestamp.FromDateTimeOffset(Start.AddSeconds(i)), Label = r.City == "lyon" || r.Size == "L" ? 1 : 0 };
            record.Values["amount"] = new Value { Float64Value = r.Amount };
            if (r.City is not null) record.Values["city"] = new Value { StringValue = r.City };
            if (r.Size is not null) record.Values["size"] = new Value { StringValue = r.Size };
            record.Values["floor"] = new Value { Int64Value = r.Floor };
            return new ConsumedRecord(Topics.Data("orders"), 0, i, r.Entity, EventEnvelopes.Wrap(record, r.Entity, "test").ToByteArray(), DateTimeOffset.UtcNow);
        }).ToArray();
        using var states = new FeatureStateStore(Path.Combine(_data, "features.db"));
        using var offline = new SqliteOfflineStore(Path.Combine(_data, "offline.db"));
        var online = new InProcessOnlineStore();
        var materializer = await FeatureMaterializer.StartAsync(View, states, online, offline, new EntityErasures(states), CancellationToken.None);
        await materializer.ProcessAsync(records, CancellationToken.None);
        var rows = await offline.ReadAsync("shop", 1, new Dictionary<int, long> { [0] = records.Length }, labeledOnly: true);
        var materialized = rows.SelectMany(r => r.Values.Select(v => (float)v)).ToArray();
        var table = new TabularData(materialized, rows.Count, View.FeatureNames, rows.Select(r => (float)r.Label!.Value).ToArray());

        // A model trained on those rows, its artifact recording the view's encodings (as the training worker does).
        var result = XGBoostTrainer.Train(table, null, new TrainingOptions { Parameters = new() { ["objective"] = "binary:logistic", ["max_depth"] = "3" }, Rounds = 8 });
        var directory = Path.Combine(_data, "model");
        using (result.Model) ArtifactWriter.Write(directory, result, table, null, "label", View.Categoricals);
        var artifact = ModelArtifact.Load(directory);

        // The same values as a CSV file, columns in another order, INT64 as its digits, missing values as empty cells.
        var csv = new StringBuilder("size,floor,city,amount\n");
        foreach (var r in raw) csv.Append(CultureInfo.InvariantCulture, $"{r.Size},{r.Floor},{r.City},{r.Amount.ToString("R", CultureInfo.InvariantCulture)}\n");
        var path = Path.Combine(_data, "rows.csv");
        File.WriteAllText(path, csv.ToString());

        var encoded = CsvPrediction.Encode(artifact, path);

        encoded.FeatureNames.Should().Equal(View.FeatureNames);
        encoded.Features.Select(BitConverter.SingleToInt32Bits).Should().Equal(materialized.Select(BitConverter.SingleToInt32Bits), "the CSV rows are the materialized vectors, bit for bit");
        materialized.Should().Contain(float.NaN, "the data has unseen and missing categories");

        var output = Path.Combine(_data, "predictions.csv");
        CsvPrediction.Run(directory, path, output, PredictionEngine.Compiled);
        var expected = new float[rows.Count];
        artifact.Scorer.PredictBatch(materialized, rows.Count, expected);
        File.ReadAllLines(output).Skip(1).Select(l => float.Parse(l, CultureInfo.InvariantCulture)).Should().Equal(expected);
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);
}
