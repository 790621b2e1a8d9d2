using System.Threading.RateLimiting;

namespace Cascade.Hosting.Security;

/// <summary>
/// Token buckets per principal for the data-plane calls (predictions, ingestion), from .NET's rate limiting library
/// (the one ASP.NET Core's rate limiting middleware is built on): applied where the principal and the method are
/// both known, so the same limit holds for gRPC, gRPC-Web and REST.
/// </summary>
public sealed class PrincipalRateLimiter : IDisposable
{
    private static readonly HashSet<string> PredictMethods = new(StringComparer.Ordinal)
    {
        "cascade.serving.v1.Serving/Predict", "cascade.serving.v1.Serving/PredictBatch", "cascade.serving.v1.Serving/PredictStream",
        "cascade.serving.v1.Serving/Explain", "inference.GRPCInferenceService/ModelInfer",
    };

    private static readonly HashSet<string> IngestMethods = new(StringComparer.Ordinal)
    {
        "cascade.ingestion.v1.Ingestion/Ingest", "cascade.ingestion.v1.Ingestion/IngestBatch", "cascade.ingestion.v1.Ingestion/SubmitLabels",
    };

    private readonly PartitionedRateLimiter<(string Principal, bool Predict)>? limiter;

    public PrincipalRateLimiter(RateLimitOptions options)
    {
        if (options.PredictPerSecond == 0 && options.IngestPerSecond == 0) return;
        limiter = PartitionedRateLimiter.Create<(string Principal, bool Predict), (string, bool)>(key =>
        {
            var rate = key.Predict ? options.PredictPerSecond : options.IngestPerSecond;
            return rate == 0
                ? RateLimitPartition.GetNoLimiter(key)
                : RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = rate * options.BurstSeconds,
                    TokensPerPeriod = rate,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
        });
    }

    /// <summary>Takes one permit; null when granted (or the method is not limited), else how long to wait.</summary>
    public TimeSpan? TryAcquire(string principal, string method)
    {
        if (limiter is null) return null;
        var name = method.StartsWith('/') ? method[1..] : method;
        var predict = PredictMethods.Contains(name);
        if (!predict && !IngestMethods.Contains(name)) return null;
        using var lease = limiter.AttemptAcquire((principal, predict), 1);
        if (lease.IsAcquired) return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
    }

    public void Dispose() => limiter?.Dispose();
}
