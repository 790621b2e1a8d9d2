using System.Globalization;
using System.Text.RegularExpressions;
using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Google.Protobuf.WellKnownTypes;
using Value = Cascade.Contracts.Common.V1.Value;
using ValueType = Cascade.Contracts.Common.V1.ValueType;
using Record = Cascade.Contracts.Ingestion.V1.Record;

namespace Cascade.EndToEnd.Tests;

/// <summary><c>/metrics</c> on the HTTP endpoint: Prometheus' text format with what the host just did.</summary>
public sealed class MetricsEndpointTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-metrics-").FullName;

    // Meters are per process and other tests' hosts share this one: this test's own dataset keeps its counts apart.
    private readonly string _dataset = $"metrics-{Guid.NewGuid():N}"[..16];
    private InProcessHost _host = null!;

    public async Task InitializeAsync() => _host = await InProcessHost.StartAsync(_data);

    [Fact]
    public async Task Records_by_outcome_grpc_calls_by_status_and_the_runtime_are_scraped()
    {
        var spec = new DatasetSpec { Name = _dataset, EntityColumn = "device", EventTimeColumn = "time", Columns = { new ColumnSpec { Name = "x", Type = ValueType.Float64, Required = true } } };
        await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(_host.Channel).RegisterDatasetAsync(new RegisterDatasetRequest { Spec = spec });
        await new Cascade.Contracts.Features.V1.Features.FeaturesClient(_host.Channel).ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = new FeatureViewSpec { Name = _dataset, Dataset = _dataset, Passthrough = { "x" } } });
        Record Make(string id, Value x) => new() { RecordId = id, EntityId = "e", EventTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow), Values = { ["x"] = x } };
        var batch = new IngestRequest { Dataset = _dataset, Records = { Make("a", new Value { Float64Value = 1 }), Make("b", new Value { Float64Value = 2 }), Make("c", new Value { Float64Value = 3 }), Make("bad", new Value { StringValue = "three" }) } };
        await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(_host.Channel).IngestBatchAsync(batch);
        await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(_host.Channel).IngestBatchAsync(new IngestRequest { Dataset = _dataset, Records = { Make("a", new Value { Float64Value = 1 }) } });
        var missing = async () => await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(_host.Channel).GetDatasetAsync(new GetDatasetRequest { Name = "no-such-dataset" });
        await missing.Should().ThrowAsync<RpcException>();

        using var http = new HttpClient();
        // Features materializes the 3 accepted records in the background.
        var text = await Eventually.WaitForAsync(
            async () =>
            {
                var response = await http.GetAsync(_host.Http + "/metrics");
                response.IsSuccessStatusCode.Should().BeTrue();
                response.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
                return await response.Content.ReadAsStringAsync();
            },
            scraped => Samples(scraped, "cascade_features_freshness_milliseconds_count", ("view", _dataset)).Sum() >= 3,
            "the 3 accepted records are materialized", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
        Sample(text, "cascade_features_freshness_milliseconds_count", ("view", _dataset)).Should().Be(3, "each accepted record was materialized once");

        Sample(text, "cascade_ingestion_records_total", ("dataset", _dataset), ("outcome", "accepted")).Should().Be(3);
        Sample(text, "cascade_ingestion_records_total", ("dataset", _dataset), ("outcome", "rejected")).Should().Be(1);
        Sample(text, "cascade_ingestion_records_total", ("dataset", _dataset), ("outcome", "duplicate")).Should().Be(1);
        Sample(text, "rpc_server_call_duration_seconds_count", ("rpc_service", "cascade.ingestion.v1.Ingestion"), ("rpc_method", "IngestBatch"), ("rpc_grpc_status_code", "0")).Should().BeGreaterThanOrEqualTo(2);
        Sample(text, "rpc_server_call_duration_seconds_count", ("rpc_service", "cascade.ingestion.v1.Ingestion"), ("rpc_method", "GetDataset"), ("rpc_grpc_status_code", "5")).Should().BeGreaterThanOrEqualTo(1, "NOT_FOUND is status 5");
        var lag = Samples(text, "cascade_eventlog_consumer_lag", ("topic", $"cascade.data.{_dataset}.v1"));
        lag.Should().NotBeEmpty("Features' consumer reads the dataset's topic").And.OnlyContain(l => l == 0, "it has read all of it");
        text.Should().MatchRegex("(?m)^dotnet_gc_collections_total", "the runtime's meter is exported");
        text.Should().MatchRegex("(?m)^kestrel_active_connections", "Kestrel's meter is exported");
    }

    /// <summary>The value of the one sample of <paramref name="name"/> carrying all <paramref name="labels"/> (in any order among others).</summary>
    private static double Sample(string text, string name, params (string Key, string Value)[] labels)
    {
        var values = Samples(text, name, labels);
        values.Should().ContainSingle($"one sample of {name} with {string.Join(", ", labels)}; the scrape had:\n{string.Join('\n', text.Split('\n').Where(l => l.StartsWith(name, StringComparison.Ordinal)))}");
        return values[0];
    }

    private static double[] Samples(string text, string name, params (string Key, string Value)[] labels) => text.Split('\n')
        .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal))
        .Where(line => labels.All(l => line.Contains($"{l.Key}=\"{l.Value}\"", StringComparison.Ordinal)))
        .Select(line => double.Parse(Regex.Match(line, @"\}\s+(\S+)").Groups[1].Value, CultureInfo.InvariantCulture))
        .ToArray();

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
