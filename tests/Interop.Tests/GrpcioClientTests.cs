using System.Text.Json;
using Cascade.Contracts.Serving.V1;
using Cascade.Interop.Tests.Hosts;
using Cascade.Interop.Tests.Peers;
using Grpc.Core;
using Inference;
using Xunit.Abstractions;
using RegistryClient = Cascade.Contracts.Registry.V1.Registry.RegistryClient;
using ServingClient = Cascade.Contracts.Serving.V1.Serving.ServingClient;

namespace Cascade.Interop.Tests;

/// <summary>
/// grpcio (gRPC's C core, a second client we did not write) against the trained all-in-one host: OIP v2 and Cascade's
/// APIs, their errors, and server streams ended by deadlines. Answers are checked against Cascade's own client.
/// </summary>
[Collection(TrainedCascadeCollection.Name)]
public sealed class GrpcioClientTests(TrainedCascadeHost cascade, PythonPeer python, ITestOutputHelper output) : IClassFixture<PythonPeer>
{
    private static readonly float[][] Rows = [[0.9f, -0.9f], [-0.5f, 0.5f], [0.125f, 0.25f]];

    private static CallOptions Within10s => new(deadline: DateTime.UtcNow + TimeSpan.FromSeconds(10));

    [Fact]
    public async Task Grpcio_oip_client_gets_the_answers_our_client_gets_in_typed_and_raw_form()
    {
        var result = await RunAsync("oip", new { model = TrainedCascadeHost.Model, rows = Rows });

        result.GetProperty("live").GetBoolean().Should().BeTrue();
        result.GetProperty("ready").GetBoolean().Should().BeTrue();
        result.GetProperty("modelReady").GetBoolean().Should().BeTrue();
        result.GetProperty("unknownModelReady").GetBoolean().Should().BeFalse();
        var metadata = result.GetProperty("metadata");
        metadata.GetProperty("name").GetString().Should().Be(TrainedCascadeHost.Model);
        metadata.GetProperty("inputs")[0].GetProperty("datatype").GetString().Should().Be("FP32");
        Longs(metadata.GetProperty("inputs")[0].GetProperty("shape")).Should().Equal(-1, 2);
        Longs(metadata.GetProperty("outputs")[0].GetProperty("shape")).Should().Equal(-1);

        var ours = await new GRPCInferenceService.GRPCInferenceServiceClient(cascade.Channel).ModelInferAsync(new ModelInferRequest
        {
            ModelName = TrainedCascadeHost.Model,
            Inputs = { new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32", Shape = { Rows.Length, 2 }, Contents = new InferTensorContents { Fp32Contents = { Rows.SelectMany(r => r) } } } },
        }, Within10s);
        var expected = ours.Outputs[0].Contents.Fp32Contents.ToArray();
        expected.Should().HaveCount(Rows.Length);

        var typed = result.GetProperty("typed");
        typed.GetProperty("id").GetString().Should().Be("grpcio-typed");
        typed.GetProperty("version").GetString().Should().Be(ours.ModelVersion);
        typed.GetProperty("name").GetString().Should().Be("output");
        typed.GetProperty("datatype").GetString().Should().Be("FP32");
        Longs(typed.GetProperty("shape")).Should().Equal(Rows.Length);
        Floats(typed.GetProperty("outputs")).Should().Equal(expected, "grpcio and Grpc.Net.Client asked the same champion the same rows");
        var raw = result.GetProperty("raw");
        Longs(raw.GetProperty("shape")).Should().Equal(Rows.Length);
        Floats(raw.GetProperty("outputs")).Should().Equal(expected, "raw little-endian FP32 in and out carries the same numbers");

        var wrong = result.GetProperty("wrongFeatureCount");
        wrong.GetProperty("code").GetString().Should().Be("INVALID_ARGUMENT");
        wrong.GetProperty("details").GetString().Should().Contain("use [n, 2]");
        result.GetProperty("unknownModel").GetProperty("code").GetString().Should().Be("NOT_FOUND");
    }

    [Fact]
    public async Task Grpcio_calls_serving_registry_and_monitoring_and_gets_their_errors()
    {
        var row = Rows[0];
        var result = await RunAsync("cascade", new { model = TrainedCascadeHost.Model, entity = "e3", row });

        var serving = new ServingClient(cascade.Channel);
        var oursInline = await serving.PredictAsync(new PredictRequest { Model = TrainedCascadeHost.Model, Features = new FeatureVector { Values = { row } } }, Within10s);
        var oursByEntity = await serving.PredictAsync(new PredictRequest { Model = TrainedCascadeHost.Model, EntityId = "e3" }, Within10s);
        var inline = result.GetProperty("inline");
        inline.GetProperty("requestId").GetString().Should().Be("grpcio-inline");
        inline.GetProperty("version").GetInt32().Should().Be(oursInline.Version);
        Floats(inline.GetProperty("outputs")).Should().Equal(oursInline.Outputs);
        Floats(result.GetProperty("byEntity").GetProperty("outputs")).Should().Equal(oursByEntity.Outputs);
        var wrong = result.GetProperty("wrongFeatureCount");
        wrong.GetProperty("code").GetString().Should().Be("INVALID_ARGUMENT");
        wrong.GetProperty("details").GetString().Should().Contain("expects 2 features");
        result.GetProperty("unknownModel").GetProperty("code").GetString().Should().Be("NOT_FOUND");

        var model = await new RegistryClient(cascade.Channel).GetModelAsync(new Contracts.Registry.V1.GetModelRequest { Name = TrainedCascadeHost.Model }, Within10s);
        result.GetProperty("model").GetProperty("champion").GetInt32().Should().Be(model.ChampionVersion).And.Be(oursInline.Version);
        var champion = result.GetProperty("champion");
        champion.GetProperty("version").GetInt32().Should().Be(model.ChampionVersion);
        champion.GetProperty("status").GetString().Should().Be("VERSION_STATUS_CHAMPION");
        champion.GetProperty("features").EnumerateArray().Select(f => f.GetString()).Should().Equal("a", "b");
        var artifact = result.GetProperty("artifact");
        artifact.GetProperty("sha256").GetString().Should().Be(champion.GetProperty("sha256").GetString(), "the streamed chunks are the registered artifact");
        Longs(artifact.GetProperty("totalSizes")).Should().Equal(champion.GetProperty("size").GetInt64());
        Longs(artifact.GetProperty("offsets")).Should().StartWith(0).And.BeInAscendingOrder();
        result.GetProperty("missingModel").GetProperty("code").GetString().Should().Be("NOT_FOUND");
        result.GetProperty("missingArtifact").GetProperty("code").GetString().Should().Be("NOT_FOUND");

        var unmonitored = result.GetProperty("unmonitoredModel");
        unmonitored.GetProperty("code").GetString().Should().Be("NOT_FOUND");
        unmonitored.GetProperty("details").GetString().Should().Contain("no-such-model");
        var badReplay = result.GetProperty("badReplay");
        badReplay.GetProperty("code").GetString().Should().Be("INVALID_ARGUMENT");
        badReplay.GetProperty("details").GetString().Should().Contain("replay must be between");
    }

    [Fact]
    public async Task Grpcio_health_check_reports_the_server_and_each_service_and_not_found_for_others()
    {
        var result = await RunAsync("health", new { services = new[] { "", "inference.GRPCInferenceService", "cascade.serving.v1.Serving" } });
        result.GetProperty("server").GetString().Should().Be("SERVING");
        result.GetProperty("inference.GRPCInferenceService").GetString().Should().Be("SERVING");
        result.GetProperty("cascade.serving.v1.Serving").GetString().Should().Be("SERVING");
        result.GetProperty("unknown").GetProperty("code").GetString().Should().Be("NOT_FOUND");
    }

    [Fact]
    public async Task Grpcio_server_streams_deliver_until_their_deadline_ends_them()
    {
        var result = await RunAsync("watch", new { model = TrainedCascadeHost.Model });
        var health = result.GetProperty("health");
        health.GetProperty("statuses").EnumerateArray().Select(s => s.GetString()).Should().Equal(["SERVING"], "the current status, then no change");
        health.GetProperty("code").GetString().Should().Be("DEADLINE_EXCEEDED");
        var alerts = result.GetProperty("alerts");
        alerts.GetProperty("count").GetInt32().Should().Be(0, "nothing drifted and no replay was asked");
        alerts.GetProperty("code").GetString().Should().Be("DEADLINE_EXCEEDED");
    }

    /// <summary>Runs a scenario of grpcio_client.py; what it printed goes to the test's output.</summary>
    private async Task<JsonElement> RunAsync(string scenario, object arguments)
    {
        var result = await python.RunClientAsync(cascade.Target, scenario, arguments);
        output.WriteLine(result.ToString());
        return result;
    }

    private static IEnumerable<long> Longs(JsonElement array) => array.EnumerateArray().Select(v => v.GetInt64());

    // Python prints each FP32 value as the double it widened to: narrowing it back is exact.
    private static IEnumerable<float> Floats(JsonElement array) => array.EnumerateArray().Select(v => (float)v.GetDouble());
}
