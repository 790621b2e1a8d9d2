using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Features.V1;
using Cascade.EventLog.Abstractions;
using Cascade.Features.Domain;
using Cascade.Features.Erasure;
using Cascade.Features.Materialization;
using Cascade.Features.Storage;
using Cascade.Storage.OfflineStore;
using Cascade.Storage.OnlineStore;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Value = Cascade.Contracts.Common.V1.Value;
using WireEncoding = Cascade.Contracts.Common.V1.CategoricalEncoding;

namespace Cascade.Features.Tests.Categorical;

/// <summary>
/// Categorical columns materialized: a seen value encodes to its one-hot or ordinal code; an unseen or missing one is
/// NaN in every feature of its column; online and offline rows are the same vectors; INT64 and BOOL are read as text.
/// </summary>
public sealed class CategoricalMaterializationTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-categorical-").FullName;

    private static readonly FeatureViewDefinition View = FeatureViewDefinition.From(new FeatureViewSpec
    {
        Name = "shop",
        Dataset = "orders",
        Passthrough = { "amount" },
        Categoricals =
        {
            new CategoricalFeature { Column = "city", Encoding = WireEncoding.OneHot, Vocabulary = { "paris", "lyon", "nice" } },
            new CategoricalFeature { Column = "size", Encoding = WireEncoding.Ordinal, Vocabulary = { "S", "M", "L" } },
            new CategoricalFeature { Column = "floor", Encoding = WireEncoding.Ordinal, Vocabulary = { "0", "1", "2" } },
            new CategoricalFeature { Column = "vip", Encoding = WireEncoding.OneHot, Vocabulary = { "true", "false" } },
        },
    }, 1);

    private static ConsumedRecord Record(long offset, string entity, Dictionary<string, Value> values) =>
        new(Topics.Data("orders"), 0, offset, entity, EventEnvelopes.Wrap(new DataRecord
        {
            Dataset = "orders", RecordId = $"r{offset}", EntityId = entity, EventTime = Timestamp.FromDateTimeOffset(Start.AddSeconds(offset)), Values = { values }, Label = 1,
        }, entity, "test").ToByteArray(), DateTimeOffset.UtcNow);

    private static Value Text(string text) => new() { StringValue = text };

    [Fact]
    public async Task Seen_unseen_and_missing_values_encode_alike_online_and_offline()
    {
        using var states = new FeatureStateStore(Path.Combine(_data, "features.db"));
        using var offline = new SqliteOfflineStore(Path.Combine(_data, "offline.db"));
        var online = new InProcessOnlineStore();
        var materializer = await FeatureMaterializer.StartAsync(View, states, online, offline, new EntityErasures(states), CancellationToken.None);

        var materialized = await materializer.ProcessAsync(
        [
            Record(0, "seen", new() { ["amount"] = new Value { Float64Value = 9 }, ["city"] = Text("lyon"), ["size"] = Text("L"), ["floor"] = new Value { Int64Value = 2 }, ["vip"] = new Value { BoolValue = false } }),
            Record(1, "unseen", new() { ["amount"] = new Value { Float64Value = 1 }, ["city"] = Text("Lyon"), ["size"] = Text("XL"), ["floor"] = new Value { Int64Value = 7 }, ["vip"] = new Value { BoolValue = true } }),
            Record(2, "missing", new() { ["amount"] = new Value { Float64Value = 2 }, ["city"] = Text(""), ["size"] = new Value() }),
        ], CancellationToken.None);

        View.FeatureNames.Should().Equal("amount", "city=paris", "city=lyon", "city=nice", "size", "floor", "vip=true", "vip=false");
        materialized!.Categoricals.Select(c => c.Column).Should().Equal("city", "size", "floor", "vip");
        materialized.Categoricals[0].Vocabulary.Should().Equal("paris", "lyon", "nice");
        (await online.ReadAsync("shop", "seen"))!.Values.Should().Equal(9, 0, 1, 0, 2, 2, 0, 1);
        var unseen = (await online.ReadAsync("shop", "unseen"))!.Values;
        unseen[0].Should().Be(1);
        unseen[1..6].Should().OnlyContain(v => double.IsNaN(v), "Lyon (case), XL and floor 7 are outside their vocabularies");
        unseen[6..].Should().Equal(1, 0);
        (await online.ReadAsync("shop", "missing"))!.Values.Skip(1).Should().OnlyContain(v => double.IsNaN(v), "an empty string, a value without a kind and an absent column are missing");

        var rows = await offline.ReadAsync("shop", 1, new Dictionary<int, long> { [0] = 3 }, labeledOnly: true);
        rows.Select(r => r.Values).Should().BeEquivalentTo(new[] { "seen", "unseen", "missing" }.Select(e => online.ReadAsync("shop", e).Result!.Values), o => o.WithStrictOrdering(), "offline rows are the vectors served online");
    }

    [Fact]
    public async Task A_record_without_the_column_keeps_the_entity_s_last_category_and_an_unseen_one_replaces_it()
    {
        using var states = new FeatureStateStore(Path.Combine(_data, "features.db"));
        using var offline = new SqliteOfflineStore(Path.Combine(_data, "offline.db"));
        var online = new InProcessOnlineStore();
        var materializer = await FeatureMaterializer.StartAsync(View, states, online, offline, new EntityErasures(states), CancellationToken.None);

        await materializer.ProcessAsync([Record(0, "e", new() { ["city"] = Text("nice") }), Record(1, "e", new() { ["amount"] = new Value { Float64Value = 3 } })], CancellationToken.None);
        (await online.ReadAsync("shop", "e"))!.Values[1..4].Should().Equal(0, 0, 1);

        await materializer.ProcessAsync([Record(2, "e", new() { ["city"] = Text("rome") })], CancellationToken.None);
        (await online.ReadAsync("shop", "e"))!.Values[1..4].Should().OnlyContain(v => double.IsNaN(v));

        // The text survives a restart (entity states are checkpointed), and is encoded again the same way.
        var restarted = await FeatureMaterializer.StartAsync(View, states, new InProcessOnlineStore(), offline, new EntityErasures(states), CancellationToken.None);
        await restarted.ProcessAsync([Record(3, "e", new() { ["size"] = Text("M") })], CancellationToken.None);
        var offlineRows = await offline.ReadAsync("shop", 1, new Dictionary<int, long> { [0] = 4 }, labeledOnly: true);
        offlineRows[^1].Values[1..5].Should().SatisfyRespectively(v => double.IsNaN(v).Should().BeTrue(), v => double.IsNaN(v).Should().BeTrue(), v => double.IsNaN(v).Should().BeTrue(), v => v.Should().Be(1));
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);
}
