using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Cascade.Cli.Demo;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Serving.V1;
using Cascade.EventLog.Abstractions;
using Inference;
using Microsoft.Extensions.DependencyInjection;

namespace Cascade.EndToEnd.Tests;

/// <summary>
/// The Open Inference Protocol v2 over REST on the host's HTTP endpoint, checked against the gRPC binding of the same
/// host: the same metadata, and the same float32 answers to the bit for every datatype the REST binding converts.
/// </summary>
public sealed class OpenInferenceRestTests(OpenInferenceRestTests.ServedDemoModel served) : IClassFixture<OpenInferenceRestTests.ServedDemoModel>
{
    private const int Features = 10;

    private HttpClient Http => served.Http;

    [Fact]
    public async Task The_server_is_live_ready_and_describes_itself()
    {
        var live = await Http.GetAsync("/v2/health/live");
        live.StatusCode.Should().Be(HttpStatusCode.OK);
        (await Json(live)).GetProperty("live").GetBoolean().Should().BeTrue();

        var ready = await Http.GetAsync("/v2/health/ready");
        ready.StatusCode.Should().Be(HttpStatusCode.OK, "a model is served");
        (await Json(ready)).GetProperty("ready").GetBoolean().Should().BeTrue();

        var server = await Json(await Http.GetAsync("/v2"));
        server.GetProperty("name").GetString().Should().Be("cascade");
        server.GetProperty("extensions").EnumerateArray().Should().BeEmpty("no protocol extension is implemented, so none is advertised");
    }

    [Fact]
    public async Task Model_metadata_and_readiness_agree_with_grpc_on_both_paths()
    {
        var grpc = await served.Inference.ModelMetadataAsync(new ModelMetadataRequest { Name = DemoDataset.Model });
        foreach (var path in new[] { $"/v2/models/{DemoDataset.Model}", $"/v2/models/{DemoDataset.Model}/versions/{served.Version}" })
        {
            var response = await Http.GetAsync(path);
            response.StatusCode.Should().Be(HttpStatusCode.OK, path);
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
            var metadata = await Json(response);
            metadata.GetProperty("name").GetString().Should().Be(grpc.Name);
            metadata.GetProperty("versions").EnumerateArray().Select(v => v.GetString()).Should().Equal(grpc.Versions);
            metadata.GetProperty("platform").GetString().Should().Be(grpc.Platform);
            var input = metadata.GetProperty("inputs").EnumerateArray().Should().ContainSingle().Subject;
            input.GetProperty("name").GetString().Should().Be(grpc.Inputs[0].Name);
            input.GetProperty("datatype").GetString().Should().Be("FP32");
            input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).Should().Equal(-1, Features);
            var output = metadata.GetProperty("outputs").EnumerateArray().Should().ContainSingle().Subject;
            output.GetProperty("name").GetString().Should().Be("output");
            output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).Should().Equal(grpc.Outputs[0].Shape);

            var ready = await Http.GetAsync(path + "/ready");
            ready.StatusCode.Should().Be(HttpStatusCode.OK, path + "/ready");
            var readiness = await Json(ready);
            readiness.GetProperty("name").GetString().Should().Be(DemoDataset.Model);
            readiness.GetProperty("ready").GetBoolean().Should().BeTrue();
        }
    }

    [Fact]
    public async Task Fp32_inference_answers_the_same_float32_bits_as_grpc_ModelInfer()
    {
        var random = new Random(17);
        var rows = new List<float[]>();
        for (var r = 0; r < 6; r++) rows.Add(Enumerable.Range(0, Features).Select(_ => (float)(random.NextDouble() * 6 - 3)).ToArray());
        // Values whose shortest text is long or odd: a decimal fraction, a third, a denormal, a huge one, negative zero, and a missing value.
        rows.Add([0.1f, 1f / 3, float.Epsilon, 3.4e38f, -0f, 1e-7f, 123456.79f, -2.5f, float.NaN, 7f]);
        rows.Add([float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN]);
        var values = rows.SelectMany(r => r).ToArray();

        var flat = await InferAsync(Body("FP32", [rows.Count, Features], Flat(values), id: "rest-fp32"));
        var nested = await InferAsync(Body("FP32", [rows.Count, Features], $"[{string.Join(", ", rows.Select(Flat))}]"));
        var grpc = await GrpcInferAsync(values, rows.Count);

        flat.GetProperty("model_name").GetString().Should().Be(DemoDataset.Model);
        flat.GetProperty("model_version").GetString().Should().Be(served.Version.ToString(CultureInfo.InvariantCulture));
        flat.GetProperty("id").GetString().Should().Be("rest-fp32");
        var output = flat.GetProperty("outputs").EnumerateArray().Should().ContainSingle().Subject;
        output.GetProperty("name").GetString().Should().Be("output");
        output.GetProperty("datatype").GetString().Should().Be("FP32");
        output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).Should().Equal(rows.Count);
        Bits(Outputs(flat)).Should().Equal(Bits(grpc), "REST writes each float32 as text that reads back to the same bits");
        Bits(Outputs(nested)).Should().Equal(Bits(grpc), "nested data is the same row-major tensor");
    }

    [Fact]
    public async Task Fp64_int32_int64_and_bool_inputs_become_the_nearest_float32_features()
    {
        var doubles = Enumerable.Range(0, 2 * Features).Select(i => Math.PI * (i - 7) / 3 + 0.1).ToArray();
        await AgreesWithGrpcAsync("FP64", Flat(doubles), doubles.Select(d => (float)d).ToArray());

        var ints = Enumerable.Range(0, 2 * Features).Select(i => (i - 9) * 3).ToArray();
        await AgreesWithGrpcAsync("INT32", $"[{string.Join(", ", ints)}]", ints.Select(i => (float)i).ToArray());

        // 2^24 + 1 has no float32: it rounds to 2^24, as a cast does.
        var longs = Enumerable.Range(0, 2 * Features).Select(i => i % 3 == 0 ? (1L << 24) + 1 : (long)(i - 10) << 20).ToArray();
        await AgreesWithGrpcAsync("INT64", $"[{string.Join(", ", longs)}]", longs.Select(l => (float)l).ToArray());

        var bools = Enumerable.Range(0, 2 * Features).Select(i => i % 3 == 0).ToArray();
        await AgreesWithGrpcAsync("BOOL", $"[{string.Join(", ", bools.Select(b => b ? "true" : "false"))}]", bools.Select(b => b ? 1f : 0f).ToArray());
    }

    [Fact]
    public async Task The_versions_path_answers_from_that_version_and_an_unloaded_version_is_404()
    {
        var values = Enumerable.Range(0, Features).Select(i => i * 0.25f).ToArray();
        var answer = await InferAsync(Body("FP32", [1, Features], Flat(values)), $"/v2/models/{DemoDataset.Model}/versions/{served.Version}/infer");
        answer.GetProperty("model_version").GetString().Should().Be(served.Version.ToString(CultureInfo.InvariantCulture));
        Bits(Outputs(answer)).Should().Equal(Bits(await GrpcInferAsync(values, 1)));

        var missing = served.Version + 100;
        foreach (var (method, path) in new[] { (HttpMethod.Post, $"/v2/models/{DemoDataset.Model}/versions/{missing}/infer"), (HttpMethod.Get, $"/v2/models/{DemoDataset.Model}/versions/{missing}"), (HttpMethod.Get, $"/v2/models/{DemoDataset.Model}/versions/{missing}/ready") })
        {
            var response = await Http.SendAsync(new HttpRequestMessage(method, path) { Content = method == HttpMethod.Post ? Content(Body("FP32", [1, Features], Flat(values))) : null });
            (await ErrorAsync(response, HttpStatusCode.NotFound)).Should().Contain($"v{missing} is not loaded", path);
        }
    }

    [Fact]
    public async Task Predictions_over_rest_are_logged_like_every_other()
    {
        var id = $"rest-logged-{Guid.NewGuid():N}";
        var values = Enumerable.Range(0, 3 * Features).Select(i => (float)Math.Sin(i)).ToArray();
        var outputs = Outputs(await InferAsync(Body("FP32", [3, Features], Flat(values), id)));

        await using var consumer = served.Host.Host.Services.GetRequiredService<IEventLog>().Subscribe(new ConsumerOptions($"test-rest-{id}", [Topics.PredictionsLogged]));
        var logged = new List<PredictionLogged>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (logged.Count < 3 && DateTime.UtcNow < deadline)
        {
            foreach (var record in await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(500)))
            {
                var prediction = EventEnvelopes.Unwrap(EventEnvelope.Parser.ParseFrom(record.Value.Span), PredictionLogged.Parser);
                if (prediction.RequestId == id) logged.Add(prediction);
            }
        }
        logged.Should().HaveCount(3, "each row of the request is one logged prediction");
        Bits(logged.SelectMany(p => p.Features).ToArray()).Should().Equal(Bits(values));
        Bits(logged.SelectMany(p => p.Outputs).ToArray()).Should().Equal(Bits(outputs));
    }

    [Fact]
    public async Task A_wrong_feature_count_or_shape_is_400_with_an_error_that_says_what_to_send()
    {
        var wrongShape = await InferResponseAsync(Body("FP32", [1, 3], "[1, 2, 3]"));
        (await ErrorAsync(wrongShape, HttpStatusCode.BadRequest)).Should().Contain($"[n, {Features}]").And.Contain("x0");

        var tooFew = await InferResponseAsync(Body("FP32", [2, Features], Flat(new float[2 * Features - 1])));
        (await ErrorAsync(tooFew, HttpStatusCode.BadRequest)).Should().Contain($"needs {2 * Features}");

        var badNesting = await InferResponseAsync(Body("FP32", [2, Features], $"[{Flat(new float[Features + 1])}, {Flat(new float[Features - 1])}]"));
        (await ErrorAsync(badNesting, HttpStatusCode.BadRequest)).Should().Contain("nest the data as the shape says");

        var twoInputs = await InferResponseAsync($"{{\"inputs\": [{Input("FP32", [1, Features], Flat(new float[Features]))}, {Input("FP32", [1, Features], Flat(new float[Features]))}]}}");
        (await ErrorAsync(twoInputs, HttpStatusCode.BadRequest)).Should().Contain("exactly one input tensor");

        var unknownOutput = await InferResponseAsync($"{{\"inputs\": [{Input("FP32", [1, Features], Flat(new float[Features]))}], \"outputs\": [{{\"name\": \"probabilities\"}}]}}");
        (await ErrorAsync(unknownOutput, HttpStatusCode.BadRequest)).Should().Contain("its one output is 'output'");
    }

    [Fact]
    public async Task An_unsupported_datatype_or_non_numeric_data_is_400_naming_what_is_accepted()
    {
        var uint8 = await InferResponseAsync(Body("UINT8", [1, Features], Flat(new float[Features])));
        (await ErrorAsync(uint8, HttpStatusCode.BadRequest)).Should().Contain("UINT8").And.Contain("FP32, FP64, INT32, INT64 or BOOL");

        var text = await InferResponseAsync(Body("FP32", [1, Features], "[\"one\", 2, 3, 4, 5, 6, 7, 8, 9, 10]"));
        (await ErrorAsync(text, HttpStatusCode.BadRequest)).Should().Contain("the string \"one\"").And.Contain("send numbers");

        var fraction = await InferResponseAsync(Body("INT32", [1, Features], "[1.5, 2, 3, 4, 5, 6, 7, 8, 9, 10]"));
        (await ErrorAsync(fraction, HttpStatusCode.BadRequest)).Should().Contain("is not an INT32");

        var overflow = await InferResponseAsync(Body("FP64", [1, Features], "[1e300, 2, 3, 4, 5, 6, 7, 8, 9, 10]"));
        (await ErrorAsync(overflow, HttpStatusCode.BadRequest)).Should().Contain("outside FP32's range");
    }

    [Fact]
    public async Task Malformed_json_is_400_and_says_the_body_is_not_json()
    {
        (await ErrorAsync(await InferResponseAsync("{\"inputs\": [{\"name\": \"input\", "), HttpStatusCode.BadRequest)).Should().Contain("not valid JSON");
        (await ErrorAsync(await InferResponseAsync(""), HttpStatusCode.BadRequest)).Should().Contain("not valid JSON");
        (await ErrorAsync(await InferResponseAsync("[1, 2]"), HttpStatusCode.BadRequest)).Should().Contain("must be a JSON object");
        (await ErrorAsync(await InferResponseAsync("{\"id\": \"no-inputs\"}"), HttpStatusCode.BadRequest)).Should().Contain("no 'inputs'");
        (await ErrorAsync(await InferResponseAsync($"{{\"inputs\": [{Input("FP32", [1, Features], Flat(new float[Features]))}]}} trailing"), HttpStatusCode.BadRequest)).Should().Contain("not valid JSON");
    }

    [Fact]
    public async Task An_unknown_model_is_404_on_every_route()
    {
        foreach (var (method, path) in new[] { (HttpMethod.Post, "/v2/models/no-such-model/infer"), (HttpMethod.Get, "/v2/models/no-such-model"), (HttpMethod.Get, "/v2/models/no-such-model/ready") })
        {
            var response = await Http.SendAsync(new HttpRequestMessage(method, path) { Content = method == HttpMethod.Post ? Content(Body("FP32", [1, Features], Flat(new float[Features]))) : null });
            (await ErrorAsync(response, HttpStatusCode.NotFound)).Should().Contain("'no-such-model' is not served", path);
        }
    }

    private async Task AgreesWithGrpcAsync(string datatype, string data, float[] asFloat32)
    {
        var rest = await InferAsync(Body(datatype, [2, Features], data));
        Bits(Outputs(rest)).Should().Equal(Bits(await GrpcInferAsync(asFloat32, 2)), $"{datatype} data is the float32 features it rounds to");
    }

    private async Task<float[]> GrpcInferAsync(float[] values, int rows)
    {
        var request = new ModelInferRequest { ModelName = DemoDataset.Model, Id = "grpc" };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32", Shape = { rows, Features }, Contents = new InferTensorContents { Fp32Contents = { values } } });
        return (await served.Inference.ModelInferAsync(request)).Outputs[0].Contents.Fp32Contents.ToArray();
    }

    private Task<HttpResponseMessage> InferResponseAsync(string body, string? path = null) => Http.PostAsync(path ?? $"/v2/models/{DemoDataset.Model}/infer", Content(body));

    private async Task<JsonElement> InferAsync(string body, string? path = null)
    {
        var response = await InferResponseAsync(body, path);
        var json = await Json(response);
        response.StatusCode.Should().Be(HttpStatusCode.OK, json.ToString());
        return json;
    }

    private static async Task<string> ErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var json = await Json(response);
        response.StatusCode.Should().Be(status, json.ToString());
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        return json.GetProperty("error").GetString()!;
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    private static float[] Outputs(JsonElement answer) => answer.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray();

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

    private static StringContent Content(string body) => new(body, Encoding.UTF8, "application/json");

    private static string Body(string datatype, long[] shape, string data, string? id = null) =>
        $"{{{(id is null ? "" : $"\"id\": \"{id}\", ")}\"inputs\": [{Input(datatype, shape, data)}]}}";

    private static string Input(string datatype, long[] shape, string data) =>
        $"{{\"name\": \"input\", \"shape\": [{string.Join(", ", shape)}], \"datatype\": \"{datatype}\", \"data\": {data}}}";

    /// <summary>Float32 values as JSON: the shortest text that reads back to the same bits (.NET's default), null for a missing value.</summary>
    private static string Flat(float[] values) => $"[{string.Join(", ", values.Select(v => float.IsNaN(v) ? "null" : v.ToString(CultureInfo.InvariantCulture)))}]";

    private static string Flat(double[] values) => $"[{string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}]";

    /// <summary>One all-in-one host with the demo model trained and served, shared by the tests of this class.</summary>
    public sealed class ServedDemoModel : IAsyncLifetime
    {
        private readonly string _data = Directory.CreateTempSubdirectory("cascade-oip-rest-").FullName;

        internal InProcessHost Host { get; private set; } = null!;

        public HttpClient Http { get; private set; } = null!;

        public GRPCInferenceService.GRPCInferenceServiceClient Inference { get; private set; } = null!;

        public int Version { get; private set; }

        public async Task InitializeAsync()
        {
            Host = await InProcessHost.StartAsync(_data);
            Http = new HttpClient { BaseAddress = new Uri(Host.Http) };
            Inference = new GRPCInferenceService.GRPCInferenceServiceClient(Host.Channel);
            var notReady = await Http.GetAsync("/v2/health/ready");
            notReady.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, "no model is served yet");

            await RecordStreamer.SetUpAsync(Host.Channel, CancellationToken.None);
            var stream = new SyntheticStream(driftAt: long.MaxValue);
            for (var batch = 0; batch < 3; batch++)
            {
                var request = new IngestRequest { Dataset = DemoDataset.Name };
                request.Records.Add(Enumerable.Range(0, 3_500).Select(_ => DemoDataset.ToRecord(stream.Next())));
                await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(Host.Channel).IngestBatchAsync(request);
            }
            var serving = new Cascade.Contracts.Serving.V1.Serving.ServingClient(Host.Channel);
            var model = await Eventually.WaitForAsync(
                async () => (await serving.GetServingStatusAsync(new GetServingStatusRequest())).Models.FirstOrDefault(m => m.Model == DemoDataset.Model),
                served => served is not null, "the first model is trained, promoted and served", TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(100));
            Version = model!.Version;
        }

        public async Task DisposeAsync()
        {
            Http.Dispose();
            await Host.DisposeAsync();
            Directory.Delete(_data, recursive: true);
        }
    }
}
