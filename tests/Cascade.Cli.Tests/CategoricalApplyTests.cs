using System.Text.RegularExpressions;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Google.Protobuf.WellKnownTypes;
using Record = Cascade.Contracts.Ingestion.V1.Record;
using Value = Cascade.Contracts.Common.V1.Value;

namespace Cascade.Cli.Tests;

/// <summary>
/// A view with a <c>top_k</c> categorical column through the real <c>cascade apply</c> and <c>get</c>: refused in the
/// plan before there is data, created once there is, then unchanged however the data moves (the plan and the
/// service's dry run agree, and the vocabulary is not recomputed); <c>get views</c> shows the resolved vocabulary.
/// </summary>
public sealed class CategoricalApplyTests : IAsyncLifetime
{
    private const string Specs = """
        apiVersion: cascade/v1
        kind: Dataset
        metadata: {name: orders}
        spec:
          entity_column: order_id
          event_time_column: placed_at
          columns:
            - {name: city, type: string}
            - {name: amount, type: float64}
        ---
        apiVersion: cascade/v1
        kind: FeatureView
        metadata: {name: orders-view}
        spec:
          dataset: orders
          passthrough: [amount]
          categoricals:
            - {column: city, encoding: one_hot, top_k: 2}
        """;

    private readonly string _data = Directory.CreateTempSubdirectory("cascade-cli-categorical-").FullName;
    private InProcessHost _host = null!;

    public async Task InitializeAsync() => _host = await InProcessHost.StartAsync(Path.Combine(_data, "host"));

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    private Task<CascadeProcess.Result> Cascade(params string[] args) => CascadeProcess.RunAsync([.. args, "--address", _host.Grpc]);

    private async Task IngestAsync(int from, params string[] cities)
    {
        var request = new IngestRequest { Dataset = "orders" };
        request.Records.Add(cities.Select((city, i) => new Record
        {
            RecordId = $"o{from + i}", EntityId = $"o{from + i}", EventTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(from + i)),
            Values = { ["city"] = new Value { StringValue = city }, ["amount"] = new Value { Float64Value = i } },
        }));
        await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(_host.Channel).IngestBatchAsync(request);
    }

    private static int Rows(CascadeProcess.Result result, string action) => Regex.Matches(result.Output, $@"│\s*{action}\s*│").Count;

    [Fact]
    public async Task A_top_k_view_waits_for_data_then_stays_unchanged_with_the_vocabulary_it_resolved()
    {
        var file = Path.Combine(_data, "orders.yaml");
        File.WriteAllText(file, Specs);

        var beforeData = await Cascade("apply", "-f", file);
        beforeData.ExitCode.Should().Be(1, beforeData.ToString());
        beforeData.Output.Should().Contain("FailedPrecondition").And.Contain("ingest some data first");
        File.WriteAllText(Path.Combine(_data, "dataset.yaml"), Specs[..Specs.IndexOf("---", StringComparison.Ordinal)]);
        (await Cascade("apply", "-f", Path.Combine(_data, "dataset.yaml"))).ExitCode.Should().Be(0);
        await IngestAsync(0, "paris", "lyon", "lyon", "nice", "nice", "nice");

        var created = await Cascade("apply", "-f", file);
        created.ExitCode.Should().Be(0, created.ToString());
        created.Output.Should().Contain("FeatureView/orders-view created (v1: 3 features)");

        await IngestAsync(6, Enumerable.Repeat("paris", 10).ToArray());
        var again = await Cascade("apply", "-f", file);
        again.ExitCode.Should().Be(0, again.ToString());
        Rows(again, "unchanged").Should().Be(2, again.ToString());
        var view = await new Cascade.Contracts.Features.V1.Features.FeaturesClient(_host.Channel).GetFeatureViewAsync(new GetFeatureViewRequest { Name = "orders-view" });
        view.Meta.Version.Should().Be(1);
        view.Meta.Categoricals.Single().Vocabulary.Should().Equal("nice", "lyon");

        var table = await Cascade("get", "views");
        table.Output.Should().Contain("city (one_hot): nice, lyon");
        var yaml = await Cascade("get", "views", "-o", "yaml");
        yaml.Output.Should().Contain("top_k: 2").And.NotContain("vocabulary");
        File.WriteAllText(Path.Combine(_data, "got.yaml"), yaml.Output);
        Rows(await Cascade("apply", "-f", Path.Combine(_data, "got.yaml")), "unchanged").Should().Be(1);
    }
}
