using System.Diagnostics;
using Cascade.Serving.Privacy;
using Cascade.Storage.OnlineStore;

namespace Cascade.Serving.Domain;

/// <summary>Answers predictions with the current champion and logs them; request validation errors say what to fix.</summary>
public sealed class Predictor(ModelCatalog catalog, IOnlineStore online, PredictionLog predictionLog, TrafficPolicies traffic, FeaturePrivacyCatalog privacy)
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
    /// <param name="features">One row; kept for the prediction log, so the caller must not change it afterwards.</param>
    /// <param name="segment">The value of the model's segment column the request gave (used when the column is no input).</param>
    public (ServedModel Served, float[] Outputs, string PredictionId, bool Canary) PredictOne(ServedModel resolved, float[] features, string requestId, string? entityId, bool routable,
        string? segment = null)
    {
        var challenger = routable ? catalog.FindChallenger(resolved.Name) : null;
        if (challenger is not null && (challenger.Scorer.FeatureCount != resolved.Scorer.FeatureCount || challenger.FeatureView != resolved.FeatureView))
        {
            challenger = null;
        }
        var policy = challenger is null ? TrafficPolicy.ChampionOnly : traffic.For(resolved.Name);
        if (challenger is not null && policy.CanaryPercent > 0 && Random.Shared.NextDouble() * 100 < policy.CanaryPercent)
        {
            var (canaryOutputs, canaryId) = PredictRow(challenger, features, requestId, entityId, PredictionRole.Canary, segment);
            return (challenger, canaryOutputs, canaryId, true);
        }
        var (outputs, id) = PredictRow(resolved, features, requestId, entityId, PredictionRole.Champion, segment);
        if (challenger is not null && policy.Shadow)
        {
            PredictRow(challenger, features, requestId, entityId, PredictionRole.Shadow, segment);
        }
        return (resolved, outputs, id, false);
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
        if (vector.Values.Length != served.Scorer.FeatureCount)
        {
            throw new InvalidOperationException($"View '{served.FeatureView}' has {vector.Values.Length} features, the model expects {served.Scorer.FeatureCount}.");
        }
        var features = new float[vector.Values.Length];
        for (var i = 0; i < features.Length; i++)
        {
            features[i] = (float)vector.Values[i];
        }
        return features;
    }

    /// <summary>Checks the shape and values of rows (row-major) for a model.</summary>
    /// <exception cref="ArgumentException">Wrong feature count or non-finite values, with what to send instead.</exception>
    public void Validate(ServedModel served, ReadOnlySpan<float> rows, int rowCount)
    {
        var features = served.Scorer.FeatureCount;
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
    /// <param name="segments">The segment column's value the request gave: none, one for every row, or one per row.</param>
    /// <exception cref="ArgumentException">Wrong feature count or non-finite values, or segments that do not fit the rows.</exception>
    public (float[] Outputs, string[] PredictionIds) Predict(ServedModel served, ReadOnlySpan<float> rows, int rowCount, string requestId, string? entityId, PredictionRole role = PredictionRole.Champion,
        IReadOnlyList<string>? segments = null)
    {
        Validate(served, rows, rowCount);
        var features = served.Scorer.FeatureCount;
        var labels = SegmentLabels(served, rows, rowCount, segments);
        var perRow = served.Scorer.OutputCount;
        var outputs = new float[rowCount * perRow];
        var latency = Evaluate(served, rows, rowCount, outputs);
        var ids = new string[rowCount];
        var now = DateTime.UtcNow;
        for (var r = 0; r < rowCount; r++)
        {
            ids[r] = Log(served, rows.Slice(r * features, features).ToArray(), outputs.AsSpan(r * perRow, perRow).ToArray(), requestId, entityId, latency, now, role, labels?[r]);
        }
        ServingMetrics.Predicted(served, role, rowCount);
        return (outputs, ids);
    }

    /// <summary>One row: <see cref="Predict"/> without the arrays of a batch (the request path of every single prediction).</summary>
    private (float[] Outputs, string PredictionId) PredictRow(ServedModel served, float[] features, string requestId, string? entityId, PredictionRole role, string? segment)
    {
        Validate(served, features, 1);
        // Before scoring, so a segment value the column cannot take is refused like any other bad input. A version
        // without a segment column reads one null field here and nothing else.
        var label = served.Segment is { } source ? ShadowSafeLabel(source, features, segment, role) : null;
        var outputs = new float[served.Scorer.OutputCount];
        var latency = Evaluate(served, features, 1, outputs);
        // The log keeps the features (see PredictOne) and its own copy of the outputs, which are returned to the caller.
        var id = Log(served, features, outputs.AsSpan().ToArray(), requestId, entityId, latency, DateTime.UtcNow, role, label);
        ServingMetrics.Predicted(served, role, 1);
        return (outputs, id);
    }

    private static long Evaluate(ServedModel served, ReadOnlySpan<float> rows, int rowCount, float[] outputs)
    {
        var start = Stopwatch.GetTimestamp();
        served.Scorer.PredictBatch(rows, rowCount, outputs);
        return (long)Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }

    private string Log(ServedModel served, float[] features, float[] outputs, string requestId, string? entityId, long latencyMicros, DateTime time, PredictionRole role, string? segment)
    {
        var id = NewPredictionId();
        // The features of sensitive columns are scored as they are and withheld from the log (hashed or dropped); so is
        // the segment of a sensitive column (hashed when written, off the request path).
        predictionLog.Enqueue(new LoggedPrediction(id, requestId, served.Name, served.Version, entityId ?? string.Empty, features, outputs, latencyMicros, time, role, privacy.For(served), segment));
        return id;
    }

    /// <summary>The segment of a row; a shadow's own definition refusing the value leaves its prediction unsegmented rather than failing the request.</summary>
    private static string? ShadowSafeLabel(SegmentSource source, ReadOnlySpan<float> features, string? segment, PredictionRole role)
    {
        try
        {
            return source.LabelOf(features, segment);
        }
        catch (ArgumentException) when (role == PredictionRole.Shadow)
        {
            return null;
        }
    }

    /// <summary>Each row's segment for a batch; null when the version has no segment column.</summary>
    private static string?[]? SegmentLabels(ServedModel served, ReadOnlySpan<float> rows, int rowCount, IReadOnlyList<string>? segments)
    {
        var count = segments?.Count ?? 0;
        if (count > 1 && count != rowCount)
        {
            throw new ArgumentException($"Give no segment, one for every row or one per row; got {count} for {rowCount} row(s).");
        }
        if (served.Segment is not { } source) return null;
        var features = served.Scorer.FeatureCount;
        var labels = new string?[rowCount];
        for (var r = 0; r < rowCount; r++)
        {
            labels[r] = source.LabelOf(rows.Slice(r * features, features), count == 0 ? null : segments![count == 1 ? 0 : r]);
        }
        return labels;
    }

    /// <summary>
    /// 128 random bits as 32 lowercase hex digits (the shape of <c>Guid.ToString("N")</c>). Not <see cref="Guid.NewGuid"/>:
    /// on Linux every call asks the kernel for random bytes (a system call, 0.5–0.7 µs measured here, as long as the
    /// model's whole evaluation); the id only has to be unique, and <see cref="Random.Shared"/> draws from per-thread
    /// state seeded by the kernel.
    /// </summary>
    internal static string NewPredictionId()
    {
        Span<byte> bits = stackalloc byte[16];
        Random.Shared.NextBytes(bits);
        return Convert.ToHexStringLower(bits);
    }
}

/// <summary>Which answer a logged prediction was: the one returned by the champion, a canary's, or a shadow's (never returned).</summary>
public enum PredictionRole
{
    Champion,
    Canary,
    Shadow,
}
