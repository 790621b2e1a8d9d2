using Cascade.Contracts.Serving.V1;
using Cascade.Interop.Tests.Hosts;
using Cascade.Interop.Tests.Peers;
using Grpc.Core;
using Inference;
using ServingClient = Cascade.Contracts.Serving.V1.Serving.ServingClient;

namespace Cascade.Interop.Tests;

/// <summary>
/// A plain OIP v2 client written with grpc-js from the protocol's proto (as a KServe/Triton user would) asks the
/// champion of the trained all-in-one host for predictions; Cascade's own client checks the same answers and errors.
/// </summary>
[Collection(TrainedCascadeCollection.Name)]
public sealed class OpenInferenceProtocolTests(TrainedCascadeHost cascade)
{
    private static CallOptions Within10s => new(deadline: DateTime.UtcNow + TimeSpan.FromSeconds(10));

    [Fact]
    public async Task A_grpc_js_oip_client_gets_the_predictions_our_client_gets_and_invalid_argument_for_a_wrong_feature_count()
    {
        var result = await NodePeer.RunScriptAsync("oip_client.js", cascade.Target, TrainedCascadeHost.Model);
        result.TryGetProperty("inferError", out _).Should().BeFalse(result.ToString());
        result.GetProperty("features").GetInt32().Should().Be(2);
        result.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).Should().Equal(2);
        var outputs = result.GetProperty("outputs").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        outputs.Should().HaveCount(2).And.AllSatisfy(v => v.Should().BeInRange(0, 1));
        result.GetProperty("wrongCode").GetInt32().Should().Be(3, "3 is INVALID_ARGUMENT");
        result.GetProperty("wrongDetails").GetString().Should().Contain("use [n, 2]");

        // The script sends rows (i % 3) − 1: [−1, 0] and [1, −1].
        var ours = await new GRPCInferenceService.GRPCInferenceServiceClient(cascade.Channel).ModelInferAsync(new ModelInferRequest
        {
            ModelName = TrainedCascadeHost.Model,
            Inputs = { new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32", Shape = { 2, 2 }, Contents = new InferTensorContents { Fp32Contents = { -1f, 0f, 1f, -1f } } } },
        }, Within10s);
        outputs.Should().Equal(ours.Outputs[0].Contents.Fp32Contents);
    }

    [Fact]
    public async Task Cascade_predict_answers_by_entity_and_inline_and_explains_its_errors()
    {
        var serving = new ServingClient(cascade.Channel);
        var byEntity = await serving.PredictAsync(new PredictRequest { Model = TrainedCascadeHost.Model, EntityId = "e3" }, Within10s);
        byEntity.Outputs.Should().ContainSingle().Which.Should().BeInRange(0, 1);
        byEntity.Version.Should().BeGreaterThan(0);
        var inline = await serving.PredictAsync(new PredictRequest { Model = TrainedCascadeHost.Model, Features = new FeatureVector { Values = { 0.9f, -0.9f } } }, Within10s);
        inline.Outputs[0].Should().BeGreaterThan(0.5f, "a − b > 0 is the positive class");

        var wrongCount = async () => await serving.PredictAsync(new PredictRequest { Model = TrainedCascadeHost.Model, Features = new FeatureVector { Values = { 1f } } }, Within10s);
        (await wrongCount.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.InvalidArgument);
        var unknown = async () => await serving.PredictAsync(new PredictRequest { Model = "nope", Features = new FeatureVector { Values = { 1f, 2f } } }, Within10s);
        (await unknown.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.NotFound);
        var unknownEntity = async () => await serving.PredictAsync(new PredictRequest { Model = TrainedCascadeHost.Model, EntityId = "never-seen" }, Within10s);
        (await unknownEntity.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.NotFound);
    }
}
