using System.Diagnostics;
using Cascade.Contracts.Events.V1;
using Cascade.Storage.OnlineStore;
using Google.Protobuf.WellKnownTypes;

namespace Cascade.Serving.Domain;

/// <summary>Answers predictions with the current champion and logs them; request validation errors say what to fix.</summary>
public sealed class Predictor(ModelCatalog catalog, IOnlineStore online, PredictionLog predictionLog, TrafficPolicies traffic)
{
    /// <summary>The served version of a model; a requested version must be the one served.</summary>
    /// <exception cref="KeyNotFoundException">The model is not served, or not in that version.</exception>
    public ServedModel Resolve(string model, int version)
    {
        var served = catalog.Find(model) ?? throw new KeyNotFoundException($"Model '{model}' is not served: no version of it has been promoted yet.");
        if (version != 0 && version != served.Version)
        {
            // The challenger can be asked for by its version (to try it before sending it traffic).
            return catalog.FindChallenger(model) is { } challenger && challenger.Version == version
                ? challenger
                : throw new KeyNotFoundException($"Model '{model}' serves v{served.Version}{ChallengerNote(model)}; v{version} is not loaded.");
        }
        return served;
    }

    private string ChallengerNote(string model) => catalog.FindChallenger(model) is { } challenger ? $" (challenger v{challenger.Version})" : string.Empty;

    /// <summary>
    /// Answers one row by the model's traffic policy: the challenger answers a canary share of the requests that name
    /// no version; with shadow on, it also scores the requests the champion answers (logged, never returned, and a
    /// failing shadow never fails the request). The challenger takes traffic only when it reads the same features.
    /// </summary>
    public (ServedModel Served, float[] Outputs, string PredictionId, bool Canary) PredictOne(ServedModel resolved, float[] features, string requestId, string? entityId, bool routable)
    {
        var challenger = routable ? catalog.FindChallenger(resolved.Name) : null;
        if (challenger is not null && (challenger.Compiled.FeatureCount != resolved.Compiled.FeatureCount || challenger.FeatureView != resolved.FeatureView))
        {
            challenger = null;
        }
        var policy = challenger is null ? TrafficPolicy.ChampionOnly : traffic.For(resolved.Name);
        if (challenger is not null && policy.CanaryPercent > 0 && Random.Shared.NextDouble() * 100 < policy.CanaryPercent)
        {
            var (canaryOutputs, canaryIds) = Predict(challenger, features, 1, requestId, entityId, PredictionRole.Canary);
            return (challenger, canaryOutputs, canaryIds[0], true);
        }
        var (outputs, ids) = Predict(resolved, features, 1, requestId, entityId);
        if (challenger is not null && policy.Shadow)
        {
            Predict(challenger, features, 1, requestId, entityId, PredictionRole.Shadow);
        }
        return (resolved, outputs, ids[0], false);
    }

    /// <summary>The features of an entity from the online store, in the model's order.</summary>
    public async Task<float[]> EntityFeaturesAsync(ServedModel served, string entityId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(served.FeatureView))
        {
            throw new ArgumentException($"Model '{served.Name}' has no feature view: send the features inline.");
        }
        var vector = await online.ReadAsync(served.FeatureView, entityId, cancellationToken)
            ?? throw new KeyNotFoundException($"Entity '{entityId}' has no features in view '{served.FeatureView}'.");
        if (vector.Values.Length != served.Compiled.FeatureCount)
        {
            throw new InvalidOperationException($"View '{served.FeatureView}' has {vector.Values.Length} features, the model expects {served.Compiled.FeatureCount}.");
        }
        return vector.Values.Select(v => (float)v).ToArray();
    }

    /// <summary>Checks the shape and values of rows (row-major) for a model.</summary>
    /// <exception cref="ArgumentException">Wrong feature count or non-finite values, with what to send instead.</exception>
    public void Validate(ServedModel served, ReadOnlySpan<float> rows, int rowCount)
    {
        var features = served.Compiled.FeatureCount;
        if (rowCount <= 0 || rows.Length != rowCount * features)
        {
            throw new ArgumentException($"Model '{served.Name}' v{served.Version} expects {features} features per row ({string.Join(", ", served.FeatureNames)}); got {rows.Length} values for {rowCount} row(s).");
        }
        for (var i = 0; i < rows.Length; i++)
        {
            if (float.IsInfinity(rows[i]))
            {
                throw new ArgumentException($"Feature '{served.FeatureNames[i % features]}' of row {i / features} is infinite; send NaN for a missing value.");
            }
        }
    }

    /// <summary>Predicts rows (row-major) and logs each prediction; returns the outputs and the prediction ids.</summary>
    /// <exception cref="ArgumentException">Wrong feature count or non-finite values.</exception>
    public (float[] Outputs, string[] PredictionIds) Predict(ServedModel served, ReadOnlySpan<float> rows, int rowCount, string requestId, string? entityId, PredictionRole role = PredictionRole.Champion)
    {
        Validate(served, rows, rowCount);
        var features = served.Compiled.FeatureCount;
        var start = Stopwatch.GetTimestamp();
        var outputs = new float[rowCount * served.Compiled.OutputCount];
        served.Compiled.PredictBatch(rows, rowCount, outputs);
        var latency = (long)Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        var ids = new string[rowCount];
        var now = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
        for (var r = 0; r < rowCount; r++)
        {
            ids[r] = Guid.NewGuid().ToString("N");
            var logged = new PredictionLogged { PredictionId = ids[r], RequestId = requestId, Model = served.Name, Version = served.Version, EntityId = entityId ?? string.Empty, LatencyMicros = latency, Time = now, Canary = role == PredictionRole.Canary, Shadow = role == PredictionRole.Shadow };
            logged.Features.Add(rows.Slice(r * features, features).ToArray());
            logged.Outputs.Add(outputs.AsSpan(r * served.Compiled.OutputCount, served.Compiled.OutputCount).ToArray());
            predictionLog.Enqueue(logged);
        }
        ServingMetrics.Predicted(served.Name, served.Version, role, rowCount);
        return (outputs, ids);
    }
}

/// <summary>Which answer a logged prediction was: the one returned by the champion, a canary's, or a shadow's (never returned).</summary>
public enum PredictionRole
{
    Champion,
    Canary,
    Shadow,
}
