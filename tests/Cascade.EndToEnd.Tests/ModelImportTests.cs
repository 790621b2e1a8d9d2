using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cascade.Contracts.Monitoring.V1;
using Cascade.Contracts.Registry.V1;
using Cascade.Contracts.Serving.V1;
using Cascade.EndToEnd.Tests.Fixtures;
using Cascade.Host;
using Grpc.Core;
using Inference;

namespace Cascade.EndToEnd.Tests;

/// <summary>
/// <c>cascade models import</c>, the real command against an all-in-one host on free ports: models trained by
/// python3-xgboost and an ONNX graph built with python3-onnx are uploaded, registered, promoted (first version, gate,
/// --force) and served over OIP REST and gRPC with python's own outputs (XGBoost to 1e-6, the graph to numpy's 1e-5).
/// </summary>
public sealed class ModelImportTests(TrainedElsewhere models) : IClassFixture<TrainedElsewhere>, IAsyncLifetime
{
    private const string Xgb = "trained-xgb";
    private const string Onnx = "trained-onnx";
    private static readonly string[] Features = ["tenure", "spend", "visits", "support_calls", "discount", "region_score"];

    private readonly string _data = Directory.CreateTempSubdirectory("cascade-import-e2e-").FullName;
    private InProcessHost _host = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _host = await InProcessHost.StartAsync(_data);
        _http = new HttpClient { BaseAddress = new Uri(_host.Http) };
    }

    private Task<CascadeCli.Result> Import(string model, string file, params string[] options) =>
        CascadeCli.RunAsync(["models", "import", model, "--file", models.File(file), .. options, "--signing-key", HostSigningKey.KeyFile(_data), "--grpc", _host.Grpc]);

    [Fact]
    public async Task Xgboost_models_trained_in_python_are_imported_gated_and_served_as_xgboost_predicts()
    {
        var registry = new Cascade.Contracts.Registry.V1.Registry.RegistryClient(_host.Channel);

        // v1: a new model, no sample: champion as the first version, with no reference profile.
        var first = await Import(Xgb, "model.json");
        first.ExitCode.Should().Be(0, first.Error);
        first.Output.Should().Contain("imported model.json as v1: xgboost, binary:logistic, 6 features").And.Contain("champion: v1");
        await ServedAsync(Xgb, 1);
        await AgreesAsync(Xgb, "probe.csv", models.Expected("expected_xgb.txt"), 1e-6);
        var health = await MonitoredAsync(Xgb, 1);
        health.NoReferenceProfile.Should().BeTrue("v1 was imported without a sample");

        // v2: the same model saved as UBJSON, with a labelled holdout: no better than the champion, so the gate refuses.
        var same = await Import(Xgb, "model.ubj", "--sample", models.File("sample.csv"));
        same.ExitCode.Should().Be(0, same.Error);
        same.Output.Should().Contain("as v2").And.Contain("gate: refused (does not beat champion v1 by the margin").And.Contain("champion: v1 stays; v2 is registered but not promoted");
        var v2 = await registry.GetModelVersionAsync(new GetModelVersionRequest { Model = Xgb, Version = 2 });
        v2.Spec.Framework.Should().Be("xgboost");
        v2.Spec.FeatureNames.Should().Equal(Features, "the names python stored in the model");
        v2.Spec.Lineage.TriggerReason.Should().Be("import");
        v2.Spec.Lineage.Parameters["source_file"].Should().Be("model.ubj");
        v2.Spec.Lineage.Parameters["source_sha256"].Should().Be(Sha256(models.File("model.ubj")));
        v2.Spec.Lineage.CodeVersion.Should().NotBeNullOrEmpty();
        v2.Spec.Holdout.ChampionVersion.Should().Be(1);
        v2.Spec.Holdout.HoldoutRows.Should().Be(500);
        v2.Spec.Holdout.CandidateMetrics["auc"].Should().Be(v2.Spec.Holdout.ChampionMetrics["auc"], "v1 and v2 are the same trees, scored on the same rows");

        // v3: a stronger model on the same holdout: the gate promotes it, and serving swaps to it.
        var better = await Import(Xgb, "model_better.ubj", "--sample", models.File("sample.csv"));
        better.ExitCode.Should().Be(0, better.Error);
        better.Output.Should().Contain("gate: passed (beats champion v1 on the same holdout").And.Contain("champion: v3");
        await ServedAsync(Xgb, 3);
        await AgreesAsync(Xgb, "probe.csv", models.Expected("expected_xgb_better.txt"), 1e-6);
        (await MonitoredAsync(Xgb, 3)).NoReferenceProfile.Should().BeFalse("v3 came with a sample");

        // --force: the weak model again, made champion explicitly, audited with its reason.
        var forced = await Import(Xgb, "model.json", "--force");
        forced.ExitCode.Should().Be(0, forced.Error);
        forced.Output.Should().Contain("champion: v4 (promoted explicitly: import --force (audited))");
        var audit = await registry.GetAuditLogAsync(new GetAuditLogRequest { Model = Xgb });
        audit.Entries.Should().Contain(e => e.Action == "PromotedManually" && e.ToVersion == 4 && e.FromVersion == 3 && e.Reason == "import --force");
        await ServedAsync(Xgb, 4);
    }

    [Fact]
    public async Task An_onnx_graph_is_imported_and_served_through_every_api_but_explain()
    {
        var imported = await Import(Onnx, "model.onnx", "--features", string.Join(',', Features), "--sample", models.File("sample.csv"));
        imported.ExitCode.Should().Be(0, imported.Error);
        imported.Output.Should().Contain("imported model.onnx as v1: onnx, binary:logistic, 6 features, 1 output(s) per row")
            .And.Contain("gate: passed (first version").And.Contain("champion: v1");
        await ServedAsync(Onnx, 1);

        var metadata = JsonDocument.Parse(await _http.GetStringAsync($"/v2/models/{Onnx}")).RootElement;
        metadata.GetProperty("platform").GetString().Should().Be("onnxruntime_onnx");
        var input = metadata.GetProperty("inputs")[0];
        input.GetProperty("name").GetString().Should().Be("X", "the graph's own input name");
        input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).Should().Equal(-1, 6);
        var output = metadata.GetProperty("outputs")[0];
        output.GetProperty("name").GetString().Should().Be("Y");
        output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).Should().Equal(-1);

        var expected = models.Expected("expected_onnx.txt");
        await AgreesAsync(Onnx, "probe_onnx.csv", expected, 1e-5);

        var serving = new Cascade.Contracts.Serving.V1.Serving.ServingClient(_host.Channel);
        var (rows, count) = models.Rows("probe_onnx.csv");
        var single = await serving.PredictAsync(new PredictRequest { Model = Onnx, Features = new FeatureVector { Values = { rows[..6] } } });
        single.Outputs.Should().ContainSingle().Which.Should().BeApproximately((float)expected[0], 1e-5f);
        var batch = await serving.PredictBatchAsync(new PredictBatchRequest { Model = Onnx, Rows = count, Features = { rows } });
        batch.Outputs.Select(o => (double)o).Should().Equal(expected, (a, e) => Math.Abs(a - e) <= 1e-5);
        using (var stream = serving.PredictStream())
        {
            await stream.RequestStream.WriteAsync(new PredictRequest { Model = Onnx, RequestId = "s1", Features = new FeatureVector { Values = { rows[6..12] } } });
            await stream.RequestStream.CompleteAsync();
            (await stream.ResponseStream.MoveNext(CancellationToken.None)).Should().BeTrue();
            stream.ResponseStream.Current.Outputs[0].Should().BeApproximately((float)expected[1], 1e-5f);
        }

        var explain = async () => await serving.ExplainAsync(new PredictRequest { Model = Onnx, Features = new FeatureVector { Values = { rows[..6] } } });
        var refused = (await explain.Should().ThrowAsync<RpcException>()).Which;
        refused.StatusCode.Should().Be(StatusCode.FailedPrecondition);
        refused.Status.Detail.Should().Contain("explanations need a tree model");

        (await MonitoredAsync(Onnx, 1)).NoReferenceProfile.Should().BeFalse("the sample gave it a reference profile");
    }

    [Fact]
    public async Task Unsupported_models_and_an_unreachable_host_fail_with_a_message_saying_why()
    {
        var linear = await Import("linear", "model_gblinear.json");
        linear.ExitCode.Should().NotBe(0);
        linear.Error.Should().Contain("model_gblinear.json: Booster 'gblinear' is not supported");
        var dart = await Import("dart", "model_dart.ubj");
        dart.ExitCode.Should().NotBe(0);
        dart.Error.Should().Contain("model_dart.ubj: Booster 'dart' is not supported");

        var unnamed = await Import(Onnx, "model.onnx");
        unnamed.ExitCode.Should().NotBe(0);
        unnamed.Error.Should().Contain("stores no feature names").And.Contain("--features");

        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var unreachable = await CascadeCli.RunAsync("models", "import", Xgb, "--file", models.File("model.json"), "--signing-key", HostSigningKey.KeyFile(_data), "--grpc", $"http://127.0.0.1:{port}");
        unreachable.ExitCode.Should().Be(1);
        unreachable.Error.Should().Contain("Unavailable").And.Contain("is the host running?");
    }

    /// <summary>OIP inference over REST (JSON, missing values as null) and gRPC agrees with python's outputs.</summary>
    private async Task AgreesAsync(string model, string csv, double[] expected, double tolerance)
    {
        var (values, rows) = models.Rows(csv);
        var data = string.Join(", ", values.Select(v => float.IsNaN(v) ? "null" : v.ToString("R", CultureInfo.InvariantCulture)));
        var body = $"{{\"inputs\": [{{\"name\": \"input\", \"shape\": [{rows}, 6], \"datatype\": \"FP32\", \"data\": [{data}]}}]}}";
        var response = await _http.PostAsync($"/v2/models/{model}/infer", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        var rest = JsonDocument.Parse(text).RootElement.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        rest.Should().Equal(expected, (a, e) => Math.Abs(a - e) <= tolerance, "REST answers what python computed");

        var request = new ModelInferRequest { ModelName = model };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32", Shape = { rows, 6 }, Contents = new InferTensorContents { Fp32Contents = { values } } });
        var grpc = await new GRPCInferenceService.GRPCInferenceServiceClient(_host.Channel).ModelInferAsync(request);
        grpc.Outputs[0].Contents.Fp32Contents.Select(v => (double)v).Should().Equal(expected, (a, e) => Math.Abs(a - e) <= tolerance, "gRPC ModelInfer answers what python computed");
    }

    private Task ServedAsync(string model, int version)
    {
        var serving = new Cascade.Contracts.Serving.V1.Serving.ServingClient(_host.Channel);
        return Eventually.WaitForAsync(
            async () => (await serving.GetServingStatusAsync(new GetServingStatusRequest())).Models.FirstOrDefault(m => m.Model == model),
            served => served?.Version == version, $"{model} v{version} is served once it is champion", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
    }

    private async Task<ModelHealth> MonitoredAsync(string model, int version)
    {
        var monitoring = new Cascade.Contracts.Monitoring.V1.Monitoring.MonitoringClient(_host.Channel);
        return (await Eventually.WaitForAsync(
            async () =>
            {
                try { return await monitoring.GetModelHealthAsync(new GetModelHealthRequest { Model = model }); }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound) { return null; }
            },
            health => health?.Version == version, $"monitoring follows {model} to v{version}", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100)))!;
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
