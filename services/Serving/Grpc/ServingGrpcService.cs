using Cascade.Contracts.Serving.V1;
using Cascade.Serving.Domain;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Cascade.Serving.Grpc;

/// <summary>Cascade's own inference API: single, batch and bidi-streamed predictions.</summary>
public sealed class ServingGrpcService(Predictor predictor, ModelCatalog catalog, TrafficPolicies traffic) : Contracts.Serving.V1.Serving.ServingBase
{
    public override Task<PredictResponse> Predict(PredictRequest request, ServerCallContext context)
    {
        if (request.InputCase == PredictRequest.InputOneofCase.EntityId)
        {
            return ServingErrors.Guard(() => PredictAsync(request, context.CancellationToken));
        }
        // Features sent inline: nothing to wait for, so no async state machine, closure or second task per request.
        try
        {
            var resolved = predictor.Resolve(request.Model, request.Version);
            return Task.FromResult(Answer(request, resolved, InlineFeatures(resolved, request), System.Diagnostics.Stopwatch.GetTimestamp(), entityId: null));
        }
        catch (Exception ex) when (ServingErrors.ToStatus(ex) is { } status)
        {
            return Task.FromException<PredictResponse>(status);
        }
    }

    public override Task<PredictBatchResponse> PredictBatch(PredictBatchRequest request, ServerCallContext context) =>
        ServingErrors.Guard(() => Task.FromResult(PredictBatch(request)));

    public override Task PredictStream(IAsyncStreamReader<PredictRequest> requestStream, IServerStreamWriter<PredictResponse> responseStream, ServerCallContext context) =>
        PredictStreamAsync(requestStream, responseStream, context);

    public override Task<ExplainResponse> Explain(PredictRequest request, ServerCallContext context) =>
        ServingErrors.Guard(() => ExplainAsync(request, context.CancellationToken));

    public override Task<ServingStatus> GetServingStatus(GetServingStatusRequest request, ServerCallContext context) => Task.FromResult(Status());

    public override Task<ServingStatus> SetTrafficPolicy(SetTrafficPolicyRequest request, ServerCallContext context) =>
        ServingErrors.Guard(() => Task.FromResult(SetTrafficPolicy(request)));

    private async Task<PredictResponse> PredictAsync(PredictRequest request, CancellationToken cancellationToken)
    {
        var resolved = predictor.Resolve(request.Model, request.Version);
        var features = await FeaturesAsync(resolved, request, cancellationToken);
        var entityId = request.InputCase == PredictRequest.InputOneofCase.EntityId ? request.EntityId : null;
        return Answer(request, resolved, features, System.Diagnostics.Stopwatch.GetTimestamp(), entityId);
    }

    private PredictResponse Answer(PredictRequest request, ServedModel resolved, float[] features, long start, string? entityId)
    {
        var (served, outputs, id, canary) = predictor.PredictOne(resolved, features, request.RequestId, entityId, routable: request.Version == 0);
        return new PredictResponse
        {
            PredictionId = id, RequestId = request.RequestId, Model = served.Name, Version = served.Version, Outputs = { outputs }, Canary = canary,
            LatencyMicros = (long)System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMicroseconds,
        };
    }

    /// <summary>Why the model answers what it answers: TreeSHAP contributions of every feature, largest first.</summary>
    private async Task<ExplainResponse> ExplainAsync(PredictRequest request, CancellationToken cancellationToken)
    {
        var served = predictor.Resolve(request.Model, request.Version);
        served.Explainer.RequireTreeModel();
        var features = await FeaturesAsync(served, request, cancellationToken);
        predictor.Validate(served, features, 1);
        var outputs = new float[served.Scorer.OutputCount];
        served.Scorer.PredictBatch(features, 1, outputs);
        var (contributions, bias) = served.Explainer.Explain(features);
        var response = new ExplainResponse { Model = served.Name, Version = served.Version, Outputs = { outputs }, Bias = bias };
        response.Contributions.AddRange(contributions
            .Select((c, i) => new Contribution { Feature = served.FeatureNames[i], Value = features[i], Contribution_ = c })
            .OrderByDescending(c => Math.Abs(c.Contribution_)));
        return response;
    }

    /// <summary>Sets how much traffic a served model's challenger gets; applies to the next request.</summary>
    private ServingStatus SetTrafficPolicy(SetTrafficPolicyRequest request)
    {
        if (string.IsNullOrEmpty(request.Model)) throw new ArgumentException("model is required.");
        _ = catalog.Find(request.Model) ?? throw new KeyNotFoundException($"Model '{request.Model}' is not served: no version of it has been promoted yet.");
        var policy = new TrafficPolicy(request.CanaryPercent, request.Shadow);
        if (!request.ValidateOnly)
        {
            traffic.Set(request.Model, policy);
            return Status();
        }
        // validate_only: the status the policy would give, stored nowhere.
        TrafficPolicies.Validate(policy);
        var status = Status();
        foreach (var model in status.Models.Where(m => m.Model == request.Model))
        {
            model.CanaryPercent = policy.CanaryPercent;
            model.Shadow = policy.Shadow;
        }
        return status;
    }

    private async Task<float[]> FeaturesAsync(ServedModel served, PredictRequest request, CancellationToken cancellationToken) =>
        request.InputCase == PredictRequest.InputOneofCase.EntityId
            ? await predictor.EntityFeaturesAsync(served, request.EntityId, cancellationToken)
            : InlineFeatures(served, request);

    private static float[] InlineFeatures(ServedModel served, PredictRequest request) =>
        request.InputCase switch
        {
            PredictRequest.InputOneofCase.Features => request.Features.Values.ToArray(),
            PredictRequest.InputOneofCase.Named => served.FeatureNames.Select(name => request.Named.Values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"Named features lack '{name}'; the model needs {string.Join(", ", served.FeatureNames)}.")).ToArray(),
            _ => throw new ArgumentException("Send features, named features or an entity_id."),
        };

    private PredictBatchResponse PredictBatch(PredictBatchRequest request)
    {
        var served = predictor.Resolve(request.Model, request.Version);
        var (outputs, ids) = predictor.Predict(served, request.Features.ToArray(), request.Rows, request.RequestId, null);
        return new PredictBatchResponse { Model = served.Name, Version = served.Version, Rows = request.Rows, OutputsPerRow = served.Scorer.OutputCount, Outputs = { outputs }, PredictionIds = { ids } };
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
                ChallengerVersion = catalog.FindChallenger(m.Name)?.Version ?? 0, CanaryPercent = traffic.For(m.Name).CanaryPercent, Shadow = traffic.For(m.Name).Shadow,
            }),
        },
    };
}
