using Cascade.Contracts;
using Grpc.Core;
using Grpc.Net.Client;
using Spectre.Console;

namespace Cascade.Cli.Demo;

/// <summary>Checks the Open Inference Protocol v2 path the way a KServe/Triton client would: metadata, an inference, a refused wrong shape.</summary>
internal static class OpenInferenceCheck
{
    public static async Task<bool> RunAsync(GrpcChannel channel, string model, CancellationToken cancellationToken)
    {
        var metadata = await new Inference.GRPCInferenceService.GRPCInferenceServiceClient(channel).ModelMetadataAsync(new Inference.ModelMetadataRequest { Name = model }, GrpcCalls.Within(TimeSpan.FromSeconds(10), cancellationToken));
        var features = (int)metadata.Inputs[0].Shape[1];
        var request = new Inference.ModelInferRequest { ModelName = model, Id = "demo-oip" };
        request.Inputs.Add(new Inference.ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32", Shape = { 2, features }, Contents = new Inference.InferTensorContents { Fp32Contents = { Enumerable.Range(0, 2 * features).Select(i => (float)(i % 3) - 1) } } });
        var response = await new Inference.GRPCInferenceService.GRPCInferenceServiceClient(channel).ModelInferAsync(request, GrpcCalls.Within(TimeSpan.FromSeconds(10), cancellationToken));
        var wrong = request.Clone();
        wrong.Inputs[0].Shape[1] = features - 1;
        wrong.Inputs[0].Contents.Fp32Contents.Clear();
        wrong.Inputs[0].Contents.Fp32Contents.Add(new float[2 * (features - 1)]);
        StatusCode? refused = null;
        try { await new Inference.GRPCInferenceService.GRPCInferenceServiceClient(channel).ModelInferAsync(wrong, GrpcCalls.Within(TimeSpan.FromSeconds(10), cancellationToken)); }
        catch (RpcException ex) { refused = ex.StatusCode; }
        AnsiConsole.MarkupLineInterpolated($"OIP v2 ModelInfer on {metadata.Name} v{response.ModelVersion}: output {string.Join(", ", response.Outputs[0].Contents.Fp32Contents.Select(v => v.ToString("F4")))}; wrong feature count → {refused}");
        return refused == StatusCode.InvalidArgument;
    }
}
