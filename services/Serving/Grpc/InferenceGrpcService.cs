using System.Runtime.InteropServices;
using Cascade.Serving.Domain;
using Google.Protobuf;
using Grpc.Core;
using Inference;

namespace Cascade.Serving.Grpc;

/// <summary>
/// The Open Inference Protocol v2 (<c>inference.GRPCInferenceService</c>) over Cascade's champions: one FP32 input of
/// shape [n, features] (or [features]) as typed contents or raw little-endian bytes; one FP32 output "output" of shape
/// [n] or [n, classes], raw if the input was raw. The checks and the prediction are <see cref="OpenInference"/>'s,
/// shared with the REST binding; this class converts the wire types.
/// </summary>
public sealed class InferenceGrpcService(OpenInference inference) : GRPCInferenceService.GRPCInferenceServiceBase
{
    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) => Task.FromResult(new ServerLiveResponse { Live = true });

    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) => Task.FromResult(new ServerReadyResponse { Ready = inference.IsServerReady });

    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ModelReadyResponse { Ready = inference.IsModelReady(request.Name, request.Version) });

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerMetadataResponse { Name = OpenInference.Server.Name, Version = OpenInference.Server.Version, Extensions = { OpenInference.Server.Extensions } });

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context) => ServingErrors.Guard(() => Task.FromResult(Metadata(request)));

    public override Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context) => ServingErrors.Guard(() => Task.FromResult(Infer(request)));

    internal ModelMetadataResponse Metadata(ModelMetadataRequest request)
    {
        var model = OpenInference.Describe(inference.Resolve(request.Name, request.Version));
        return new ModelMetadataResponse
        {
            Name = model.Name,
            Versions = { model.Version },
            Platform = model.Platform,
            Inputs = { new ModelMetadataResponse.Types.TensorMetadata { Name = model.Input.Name, Datatype = model.Input.Datatype, Shape = { model.Input.Shape } } },
            Outputs = { new ModelMetadataResponse.Types.TensorMetadata { Name = model.Output.Name, Datatype = model.Output.Datatype, Shape = { model.Output.Shape } } },
        };
    }

    internal ModelInferResponse Infer(ModelInferRequest request)
    {
        var served = inference.Resolve(request.ModelName, request.ModelVersion);
        var input = request.Inputs.Count > 0 ? request.Inputs[0] : null;
        var rows = OpenInference.Rows(served, request.Inputs.Count, input?.Shape.ToArray() ?? []);
        if (input!.Datatype != "FP32")
        {
            throw new ArgumentException($"Input '{input.Name}' is {input.Datatype}; this model takes FP32.");
        }
        OpenInference.CheckRequestedOutputs(served, request.Outputs.Select(o => o.Name));
        var raw = request.RawInputContents.Count > 0;
        float[] values;
        if (raw)
        {
            if (input.Contents is not null && input.Contents.Fp32Contents.Count > 0)
            {
                throw new ArgumentException("Send the input either as contents or as raw_input_contents, not both.");
            }
            var bytes = request.RawInputContents[0].Span;
            var needed = (long)rows * served.Scorer.FeatureCount * sizeof(float);
            if (bytes.Length != needed)
            {
                throw new ArgumentException($"raw_input_contents[0] has {bytes.Length} bytes; shape [{rows}, {served.Scorer.FeatureCount}] FP32 needs {needed}.");
            }
            values = MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        }
        else
        {
            values = input.Contents?.Fp32Contents.ToArray() ?? [];
        }
        var result = inference.Infer(served, values, rows, request.Id, Segment(request));
        var tensor = new ModelInferResponse.Types.InferOutputTensor { Name = OpenInference.OutputNameOf(result.Served), Datatype = "FP32", Shape = { result.Shape } };
        var response = new ModelInferResponse { ModelName = result.Served.Name, ModelVersion = result.Served.Version.ToString(), Id = request.Id, Outputs = { tensor } };
        if (raw)
        {
            response.RawOutputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(result.Outputs.AsSpan())));
        }
        else
        {
            tensor.Contents = new InferTensorContents { Fp32Contents = { result.Outputs } };
        }
        return response;
    }

    /// <summary>The request's <c>segment</c> parameter (a string; a number is taken as its text); null when absent.</summary>
    private static string? Segment(ModelInferRequest request)
    {
        if (!request.Parameters.TryGetValue(OpenInference.SegmentParameter, out var parameter)) return null;
        return parameter.ParameterChoiceCase switch
        {
            InferParameter.ParameterChoiceOneofCase.StringParam => parameter.StringParam,
            InferParameter.ParameterChoiceOneofCase.Int64Param => parameter.Int64Param.ToString(System.Globalization.CultureInfo.InvariantCulture),
            InferParameter.ParameterChoiceOneofCase.BoolParam => parameter.BoolParam ? "true" : "false",
            _ => null,
        };
    }
}
