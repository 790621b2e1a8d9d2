using System.Runtime.InteropServices;
using Cascade.Grpc.Server;
using Cascade.Serving.Domain;
using Google.Protobuf;
using Inference;

namespace Cascade.Serving.Grpc;

/// <summary>
/// The Open Inference Protocol v2 (<c>inference.GRPCInferenceService</c>) over Cascade's champions: one FP32 input of
/// shape [n, features] (or [features]) as typed contents or raw little-endian bytes; one FP32 output "output" of shape
/// [n] or [n, classes], raw if the input was raw.
/// </summary>
public sealed class InferenceGrpcService(Predictor predictor, ModelCatalog catalog) : IGrpcService
{
    public void Bind(GrpcServiceBinder binder)
    {
        binder.Unary(ServingMethods.ServerLive, (_, _) => Task.FromResult(new ServerLiveResponse { Live = true }));
        binder.Unary(ServingMethods.ServerReady, (_, _) => Task.FromResult(new ServerReadyResponse { Ready = catalog.All.Count > 0 }));
        binder.Unary(ServingMethods.ModelReady, (r, _) => Task.FromResult(new ModelReadyResponse { Ready = catalog.Find(r.Name) is { } m && (r.Version.Length == 0 || r.Version == m.Version.ToString()) }));
        binder.Unary(ServingMethods.ServerMetadata, (_, _) => Task.FromResult(new ServerMetadataResponse { Name = "cascade", Version = "1", Extensions = { "model_repository" } }));
        binder.Unary(ServingMethods.ModelMetadata, (r, _) => ServingErrors.Guard(() => Task.FromResult(Metadata(r))));
        binder.Unary(ServingMethods.ModelInfer, (r, _) => ServingErrors.Guard(() => Task.FromResult(Infer(r))));
    }

    private ModelMetadataResponse Metadata(ModelMetadataRequest request)
    {
        var served = predictor.Resolve(request.Name, ParseVersion(request.Version));
        var outputs = served.Compiled.OutputCount;
        return new ModelMetadataResponse
        {
            Name = served.Name,
            Versions = { served.Version.ToString() },
            Platform = "xgboost_compiled",
            Inputs = { new ModelMetadataResponse.Types.TensorMetadata { Name = "input", Datatype = "FP32", Shape = { -1, served.Compiled.FeatureCount } } },
            Outputs = { new ModelMetadataResponse.Types.TensorMetadata { Name = "output", Datatype = "FP32", Shape = { outputs == 1 ? new long[] { -1 } : new long[] { -1, outputs } } } },
        };
    }

    private ModelInferResponse Infer(ModelInferRequest request)
    {
        var served = predictor.Resolve(request.ModelName, ParseVersion(request.ModelVersion));
        if (request.Inputs.Count != 1)
        {
            throw new ArgumentException($"Send exactly one input tensor (FP32, shape [n, {served.Compiled.FeatureCount}]); got {request.Inputs.Count}.");
        }
        var input = request.Inputs[0];
        if (input.Datatype != "FP32")
        {
            throw new ArgumentException($"Input '{input.Name}' is {input.Datatype}; this model takes FP32.");
        }
        var features = served.Compiled.FeatureCount;
        var shape = input.Shape.ToArray();
        var rows = shape.Length switch
        {
            2 when shape[1] == features => shape[0],
            1 when shape[0] == features => 1,
            _ => throw new ArgumentException($"Input shape [{string.Join(", ", shape)}] does not fit the model: use [n, {features}] ({string.Join(", ", served.FeatureNames)})."),
        };
        var raw = request.RawInputContents.Count > 0;
        float[] values;
        if (raw)
        {
            if (input.Contents is not null && input.Contents.Fp32Contents.Count > 0)
            {
                throw new ArgumentException("Send the input either as contents or as raw_input_contents, not both.");
            }
            var bytes = request.RawInputContents[0].Span;
            if (bytes.Length != rows * features * sizeof(float))
            {
                throw new ArgumentException($"raw_input_contents[0] has {bytes.Length} bytes; shape [{rows}, {features}] FP32 needs {rows * features * sizeof(float)}.");
            }
            values = MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        }
        else
        {
            values = input.Contents?.Fp32Contents.ToArray() ?? [];
            if (values.Length != rows * features)
            {
                throw new ArgumentException($"Input has {values.Length} values; shape [{rows}, {features}] needs {rows * features}.");
            }
        }
        var (outputs, _) = predictor.Predict(served, values, (int)rows, request.Id, null);
        var perRow = served.Compiled.OutputCount;
        var tensor = new ModelInferResponse.Types.InferOutputTensor { Name = "output", Datatype = "FP32", Shape = { perRow == 1 ? new[] { rows } : new[] { rows, perRow } } };
        var response = new ModelInferResponse { ModelName = served.Name, ModelVersion = served.Version.ToString(), Id = request.Id, Outputs = { tensor } };
        if (raw)
        {
            response.RawOutputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(outputs.AsSpan())));
        }
        else
        {
            tensor.Contents = new InferTensorContents { Fp32Contents = { outputs } };
        }
        return response;
    }

    private static int ParseVersion(string version) =>
        version.Length == 0 ? 0 : int.TryParse(version, out var number) ? number : throw new ArgumentException($"Model version '{version}' is not a number.");
}
