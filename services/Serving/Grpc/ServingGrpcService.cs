using Cascade.Contracts.Serving.V1;
using Cascade.Hosting.Security;
using Cascade.Serving.Domain;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using RegistryClient = Cascade.Contracts.Registry.V1.Registry.RegistryClient;
using RegistrySetTrafficPolicy = Cascade.Contracts.Registry.V1.SetTrafficPolicyRequest;

namespace Cascade.Serving.Grpc;

/// <summary>Cascade's own inference API: single, batch and bidi-streamed predictions.</summary>
/// <remarks>
/// Traffic policies are the registry's (<paramref name="registry"/>: a network client in Serving's own process, an
/// in-process one in the all-in-one host); a host composed without one still predicts and refuses only
/// SetTrafficPolicy.
/// </remarks>
public sealed class ServingGrpcService(Predictor predictor, ModelCatalog catalog, TrafficPolicies traffic, RegistryClient? registry = null) : Contracts.Serving.V1.Serving.ServingBase
{
    // How long a stored policy may take to come back to this replica through the log (normally milliseconds): past
    // it the caller learns the policy is stored but not yet applied here, rather than waiting on a stalled log.
    private static readonly TimeSpan ApplyWait = TimeSpan.FromSeconds(15);

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
        ServingErrors.Guard(() => SetTrafficPolicyAsync(request, context));

    private async Task<PredictResponse> PredictAsync(PredictRequest request, CancellationToken cancellationToken)
    {
        var resolved = predictor.Resolve(request.Model, request.Version);
        var features = await FeaturesAsync(resolved, request, cancellationToken);
        var entityId = request.InputCase == PredictRequest.InputOneofCase.EntityId ? request.EntityId : null;
        return Answer(request, resolved, features, System.Diagnostics.Stopwatch.GetTimestamp(), entityId);
    }

    private PredictResponse Answer(PredictRequest request, ServedModel resolved, float[] features, long start, string? entityId)
    {
        var (served, outputs, id, canary) = predictor.PredictOne(resolved, features, request.RequestId, entityId, routable: request.Version == 0, request.Segment);
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

    /// <summary>
    /// Sets how much traffic a served model's challenger gets. The registry stores it (audited) and announces it to
    /// every replica; this answers once this replica has applied it, so the next request here follows it.
    /// </summary>
    private async Task<ServingStatus> SetTrafficPolicyAsync(SetTrafficPolicyRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.Model)) throw new ArgumentException("model is required.");
        _ = catalog.Find(request.Model) ?? throw new KeyNotFoundException($"Model '{request.Model}' is not served: no version of it has been promoted yet.");
        var policy = new TrafficPolicy(request.CanaryPercent, request.Shadow);
        TrafficPolicies.Validate(policy);
        if (request.ValidateOnly)
        {
            // validate_only: the status the policy would give, stored nowhere.
            var preview = Status();
            foreach (var model in preview.Models.Where(m => m.Model == request.Model))
            {
                model.CanaryPercent = policy.CanaryPercent;
                model.Shadow = policy.Shadow;
            }
            return preview;
        }
        if (registry is null)
        {
            throw new InvalidOperationException("Traffic policies are kept by the registry, and this host has no registry client (Cascade:Services:registry).");
        }
        // The operator this replica authenticated, forwarded for the registry's audit (empty when authentication is off).
        var actor = CallerIdentity.IsAuthenticated(context) ? CallerIdentity.Actor(context, null) : string.Empty;
        var stored = await registry.SetTrafficPolicyAsync(new RegistrySetTrafficPolicy
        {
            Model = request.Model, CanaryPercent = request.CanaryPercent, Shadow = request.Shadow, Actor = actor, Reason = request.Reason,
        }, cancellationToken: context.CancellationToken);
        var revision = stored.TrafficPolicy.Revision;
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        wait.CancelAfter(ApplyWait);
        try
        {
            await traffic.WaitForAsync(request.Model, revision, wait.Token);
        }
        catch (OperationCanceledException) when (!context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new global::Grpc.Core.Status(StatusCode.DeadlineExceeded,
                $"The registry stored the policy of '{request.Model}' (revision {revision}), but this replica has not applied it within {ApplyWait.TotalSeconds:0} s: the event log is slow or unreachable. Every replica applies it when the event arrives; GetServingStatus shows when."));
        }
        return Status();
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
        var (outputs, ids) = predictor.Predict(served, request.Features.ToArray(), request.Rows, request.RequestId, null, segments: request.Segments);
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
