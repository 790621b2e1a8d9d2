using Cascade.Contracts.Serving.V1;
using Cascade.Grpc;
using Cascade.Grpc.Server;
using Cascade.Serving.Domain;
using Google.Protobuf.WellKnownTypes;

namespace Cascade.Serving.Grpc;

/// <summary>Cascade's own inference API: single, batch and bidi-streamed predictions.</summary>
public sealed class ServingGrpcService(Predictor predictor, ModelCatalog catalog) : IGrpcService
{
    public void Bind(GrpcServiceBinder binder)
    {
        binder.Unary(ServingMethods.Predict, (request, context) => ServingErrors.Guard(() => PredictAsync(request, context.CancellationToken)));
        binder.Unary(ServingMethods.PredictBatch, (request, context) => ServingErrors.Guard(() => Task.FromResult(PredictBatch(request))));
        binder.DuplexStreaming(ServingMethods.PredictStream, PredictStreamAsync);
        binder.Unary(ServingMethods.GetServingStatus, (_, _) => Task.FromResult(Status()));
    }

    private async Task<PredictResponse> PredictAsync(PredictRequest request, CancellationToken cancellationToken)
    {
        var served = predictor.Resolve(request.Model, request.Version);
        float[] features = request.InputCase switch
        {
            PredictRequest.InputOneofCase.Features => request.Features.Values.ToArray(),
            PredictRequest.InputOneofCase.Named => served.FeatureNames.Select(name => request.Named.Values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"Named features lack '{name}'; the model needs {string.Join(", ", served.FeatureNames)}.")).ToArray(),
            PredictRequest.InputOneofCase.EntityId => await predictor.EntityFeaturesAsync(served, request.EntityId, cancellationToken),
            _ => throw new ArgumentException("Send features, named features or an entity_id."),
        };
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        var (outputs, ids) = predictor.Predict(served, features, 1, request.RequestId, request.InputCase == PredictRequest.InputOneofCase.EntityId ? request.EntityId : null);
        return new PredictResponse
        {
            PredictionId = ids[0], RequestId = request.RequestId, Model = served.Name, Version = served.Version, Outputs = { outputs },
            LatencyMicros = (long)System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMicroseconds,
        };
    }

    private PredictBatchResponse PredictBatch(PredictBatchRequest request)
    {
        var served = predictor.Resolve(request.Model, request.Version);
        var (outputs, ids) = predictor.Predict(served, request.Features.ToArray(), request.Rows, request.RequestId, null);
        return new PredictBatchResponse { Model = served.Name, Version = served.Version, Rows = request.Rows, OutputsPerRow = served.Compiled.OutputCount, Outputs = { outputs }, PredictionIds = { ids } };
    }

    private async Task PredictStreamAsync(IAsyncStreamReader<PredictRequest> requests, IServerStreamWriter<PredictResponse> responses, ServerCallContext context)
    {
        await foreach (var request in requests.ReadAllAsync(context.CancellationToken))
        {
            PredictResponse response;
            try
            {
                response = await ServingErrors.Guard(() => PredictAsync(request, context.CancellationToken));
            }
            catch (RpcException ex)
            {
                // One bad request does not end the stream: its answer carries the error.
                response = new PredictResponse { RequestId = request.RequestId, Model = request.Model, Error = $"{ex.StatusCode}: {ex.Status.Detail}" };
            }
            await responses.WriteAsync(response, context.CancellationToken);
        }
    }

    private ServingStatus Status() => new()
    {
        Models =
        {
            catalog.All.Select(m => new LoadedModel
            {
                Model = m.Name, Version = m.Version, ArtifactSha256 = m.ArtifactSha256, LoadedAt = Timestamp.FromDateTimeOffset(m.LoadedAt), Swaps = catalog.Swaps(m.Name),
            }),
        },
    };
}
