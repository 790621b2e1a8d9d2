using System.Diagnostics;
using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Grpc.Net.Client;
using Grpc.Health.V1;
using Cascade.Storage.OnlineStore;
using Microsoft.Extensions.DependencyInjection;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.Bench;

/// <summary>
/// Online lookup of 1 entity × 50 features: in the store itself, and through <c>GetOnlineFeatures</c> over gRPC,
/// against the baseline of a health check on the same channel (the cost of a gRPC round trip with no work).
/// </summary>
internal static class OnlineLookupBench
{
    private const int Features = 50;
    private const int Entities = 10_000;

    public static async Task<IReadOnlyList<string>> RunAsync(BenchHost host, int calls)
    {
        var dataset = new DatasetSpec { Name = "bench-wide", EntityColumn = "id", EventTimeColumn = "t" };
        var view = new FeatureViewSpec { Name = "bench-wide-features", Dataset = "bench-wide" };
        for (var f = 0; f < Features; f++)
        {
            dataset.Columns.Add(new ColumnSpec { Name = $"f{f}", Type = ValueType.Float64 });
            view.Passthrough.Add($"f{f}");
        }
        await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(host.Channel).RegisterDatasetAsync(new RegisterDatasetRequest { Spec = dataset });
        await new Cascade.Contracts.Features.V1.Features.FeaturesClient(host.Channel).ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = view });
        // The vectors go straight into the store: this measures reads, not materialization.
        var store = host.Services.GetRequiredService<IOnlineStore>();
        var random = new Random(3);
        var vectors = Enumerable.Range(0, Entities)
            .Select(e => new FeatureVector($"e{e}", Enumerable.Range(0, Features).Select(_ => random.NextDouble()).ToArray(), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow))
            .ToArray();
        await store.WriteBatchAsync(view.Name, vectors);

        var inStore = await MeasureAsync(calls, async i => await store.ReadAsync(view.Name, $"e{i % Entities}"));
        var overGrpc = await MeasureAsync(calls, async i => await new Cascade.Contracts.Features.V1.Features.FeaturesClient(host.Channel).GetOnlineFeaturesAsync(new GetOnlineFeaturesRequest { FeatureView = view.Name, EntityIds = { $"e{i % Entities}" } }));
        var health = await MeasureAsync(calls, async _ => await new Grpc.Health.V1.Health.HealthClient(host.Channel).CheckAsync(new HealthCheckRequest()));
        return
        [
            $"| online lookup, 1 entity × {Features} features, in the store | {Latencies.Ms(inStore.P50)} | {Latencies.Ms(inStore.P99)} | | |",
            $"| online lookup, 1 entity × {Features} features, GetOnlineFeatures over gRPC | {Latencies.Ms(overGrpc.P50)} | {Latencies.Ms(overGrpc.P99)} | health check round trip: p50 {Latencies.Ms(health.P50)}, p99 {Latencies.Ms(health.P99)} | p99 ≤ 1 ms |",
        ];
    }

    private static async Task<Latencies> MeasureAsync(int calls, Func<int, Task> call)
    {
        for (var i = 0; i < Math.Min(1_000, calls); i++) await call(i); // warm-up
        var samples = new double[calls];
        for (var i = 0; i < calls; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await call(i);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        return new Latencies(samples);
    }
}
