using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Host;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Record = Cascade.Contracts.Ingestion.V1.Record;
using Value = Cascade.Contracts.Common.V1.Value;
using ValueType = Cascade.Contracts.Common.V1.ValueType;
using Microsoft.AspNetCore.Builder;
using FeaturesClient = Cascade.Contracts.Features.V1.Features.FeaturesClient;
using IngestionClient = Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient;

namespace Cascade.Features.Tests.Categorical;

/// <summary>One all-in-one host (ephemeral ports) for the apply tests; each test uses datasets and views of its own.</summary>
public sealed class CategoricalHostFixture : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-categorical-apply-").FullName;
    private WebApplication _host = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var options = new AllInOneHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = _data };
        _host = AllInOneHost.Build(options, _ => { });
        await _host.StartAsync();
        Channel = GrpcChannel.ForAddress(AllInOneHost.GetAddresses(_host, options).Grpc);
    }

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        await _host.StopAsync();
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}

/// <summary>
/// <c>ApplyFeatureView</c> with categorical columns, over gRPC: a <c>top_k</c> vocabulary computed from the records
/// already ingested and stored with the view version (re-applying, or a dry run, of the same spec recomputes nothing),
/// and the refusals: no data yet, a FLOAT64 column.
/// </summary>
public sealed class CategoricalApplyTests(CategoricalHostFixture host) : IClassFixture<CategoricalHostFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private FeaturesClient Features => new(host.Channel);

    private IngestionClient Ingestion => new(host.Channel);

    private async Task DatasetAsync(string name) => await Ingestion.RegisterDatasetAsync(new RegisterDatasetRequest
    {
        Spec = new DatasetSpec
        {
            Name = name, EntityColumn = "id", EventTimeColumn = "ts",
            Columns =
            {
                new ColumnSpec { Name = "city", Type = ValueType.String },
                new ColumnSpec { Name = "amount", Type = ValueType.Float64 },
                new ColumnSpec { Name = "floor", Type = ValueType.Int64 },
            },
        },
    });

    private async Task IngestAsync(string dataset, params string?[] cities)
    {
        var request = new IngestRequest { Dataset = dataset };
        var offset = (int)(await Ingestion.GetDatasetAsync(new GetDatasetRequest { Name = dataset })).Meta.RecordsAccepted;
        request.Records.Add(cities.Select((city, i) =>
        {
            var record = new Record { RecordId = $"{dataset}-{offset + i}", EntityId = $"e{i % 7}", EventTime = Timestamp.FromDateTimeOffset(Start.AddSeconds(offset + i)) };
            record.Values["amount"] = new Value { Float64Value = i };
            record.Values["floor"] = new Value { Int64Value = i % 3 };
            if (city is not null) record.Values["city"] = new Value { StringValue = city };
            return record;
        }));
        var response = await Ingestion.IngestBatchAsync(request);
        response.Accepted.Should().Be(cities.Length);
    }

    private static FeatureViewSpec TopK(string view, string dataset, int k, string column = "city") => new()
    {
        Name = view, Dataset = dataset, Passthrough = { "amount" },
        Categoricals = { new CategoricalFeature { Column = column, Encoding = CategoricalEncoding.OneHot, TopK = k } },
    };

    private static string[] Repeat(string value, int times) => Enumerable.Repeat(value, times).ToArray();

    [Fact]
    public async Task A_top_k_vocabulary_comes_from_the_ingested_records_and_changes_only_with_a_new_version()
    {
        await DatasetAsync("orders-a");
        // lyon 4, paris 3, nice 3, rome 1, and records without a city: the tie of nice and paris goes to nice (ordinal order).
        await IngestAsync("orders-a", [.. Repeat("lyon", 4), .. Repeat("paris", 3), .. Repeat("nice", 3), "rome", null, null]);

        var applied = await Features.ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = TopK("shop-a", "orders-a", 3) });

        applied.Meta.Version.Should().Be(1);
        applied.Meta.Categoricals.Single().Vocabulary.Should().Equal("lyon", "nice", "paris");
        applied.Meta.FeatureNames.Should().Equal("amount", "city=lyon", "city=nice", "city=paris");
        applied.Spec.Categoricals.Single().Vocabulary.Should().BeEmpty("the spec stays as written: top_k");

        // The data changes (rome now leads), but the same spec is the same version with the same vocabulary.
        await IngestAsync("orders-a", Repeat("rome", 10));
        var again = await Features.ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = TopK("shop-a", "orders-a", 3) });
        var dryRun = await Features.ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = TopK("shop-a", "orders-a", 3), ValidateOnly = true });
        foreach (var view in new[] { again, dryRun, await Features.GetFeatureViewAsync(new GetFeatureViewRequest { Name = "shop-a" }) })
        {
            view.Meta.Version.Should().Be(1);
            view.Meta.Categoricals.Single().Vocabulary.Should().Equal("lyon", "nice", "paris");
        }
        (await Features.ListFeatureViewsAsync(new ListFeatureViewsRequest())).Views.Single(v => v.Spec.Name == "shop-a").Meta.Categoricals.Single().Vocabulary.Should().Equal("lyon", "nice", "paris");

        // A changed spec is a new version, and only it reads the data again.
        var preview = await Features.ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = TopK("shop-a", "orders-a", 2), ValidateOnly = true });
        preview.Meta.Version.Should().Be(2);
        preview.Meta.Categoricals.Single().Vocabulary.Should().Equal("rome", "lyon");
        var second = await Features.ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = TopK("shop-a", "orders-a", 2) });
        second.Meta.Version.Should().Be(2);
        second.Meta.FeatureNames.Should().Equal("amount", "city=rome", "city=lyon");
        (await Features.GetFeatureViewAsync(new GetFeatureViewRequest { Name = "shop-a" })).Meta.Categoricals.Single().Vocabulary.Should().Equal("rome", "lyon");
    }

    [Fact]
    public async Task An_int64_column_s_vocabulary_is_its_values_as_text()
    {
        await DatasetAsync("orders-b");
        await IngestAsync("orders-b", Repeat("x", 9)); // floor = i % 3: 0, 1, 2 three times each

        var applied = await Features.ApplyFeatureViewAsync(new ApplyFeatureViewRequest
        {
            Spec = new FeatureViewSpec { Name = "shop-b", Dataset = "orders-b", Categoricals = { new CategoricalFeature { Column = "floor", Encoding = CategoricalEncoding.Ordinal, TopK = 5 } } },
        });

        applied.Meta.Categoricals.Single().Vocabulary.Should().Equal("0", "1", "2");
        applied.Meta.FeatureNames.Should().Equal("floor");
    }

    [Fact]
    public async Task Top_k_without_records_is_refused_with_what_to_do_and_a_listed_vocabulary_is_not()
    {
        await DatasetAsync("orders-c");

        foreach (var validateOnly in new[] { true, false })
        {
            var apply = async () => await Features.ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = TopK("shop-c", "orders-c", 3), ValidateOnly = validateOnly });
            var refused = (await apply.Should().ThrowAsync<RpcException>()).Which;
            refused.StatusCode.Should().Be(StatusCode.FailedPrecondition);
            refused.Status.Detail.Should().Contain("ingest some data first, or list the vocabulary");
        }
        var listed = new FeatureViewSpec { Name = "shop-c", Dataset = "orders-c", Categoricals = { new CategoricalFeature { Column = "city", Encoding = CategoricalEncoding.OneHot, Vocabulary = { "paris", "lyon" } } } };
        (await Features.ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = listed })).Meta.FeatureNames.Should().Equal("city=paris", "city=lyon");
    }

    [Fact]
    public async Task A_float64_column_and_an_aggregation_over_a_categorical_column_are_refused()
    {
        await DatasetAsync("orders-d");
        await IngestAsync("orders-d", "paris", "lyon");

        var float64 = async () => await Features.ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = TopK("shop-d", "orders-d", 3, column: "amount"), ValidateOnly = true });
        var wrongType = (await float64.Should().ThrowAsync<RpcException>()).Which;
        wrongType.StatusCode.Should().Be(StatusCode.InvalidArgument);
        wrongType.Status.Detail.Should().Contain("'amount'").And.Contain("holds FLOAT64 values").And.Contain("must be STRING, INT64 or BOOL");

        var aggregated = TopK("shop-d", "orders-d", 3);
        aggregated.Aggregations.Add(new Aggregation { Column = "city", Function = AggregationFunction.Count, Window = Duration.FromTimeSpan(TimeSpan.FromHours(1)) });
        var aggregate = async () => await Features.ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = aggregated });
        var refused = (await aggregate.Should().ThrowAsync<RpcException>()).Which;
        refused.StatusCode.Should().Be(StatusCode.InvalidArgument);
        refused.Status.Detail.Should().Contain("'city' is categorical");
        var get = async () => await Features.GetFeatureViewAsync(new GetFeatureViewRequest { Name = "shop-d" });
        (await get.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.NotFound, "nothing refused is stored");
    }
}
