using Cascade.Contracts;
using System.Collections.Concurrent;
using System.Diagnostics;
using Cascade.Contracts.Serving.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cascade.Cli.Demo;

/// <summary>
/// The demo's steady prediction load: a few workers predicting by entity id from the moment the first model is
/// served until stopped. Counts predictions and failures, remembers when each version first answered, and keeps
/// every request's latency so the pause around a hot swap can be compared with the steady state.
/// </summary>
internal sealed class PredictionLoad(Stopwatch clock, int workers = 4, int entities = 500)
{
    private readonly ConcurrentQueue<(double CompletedMs, double LatencyMs, int Version)> _requests = new();
    private long _predictions;
    private long _failed;

    public long Predictions => Interlocked.Read(ref _predictions);

    public long Failed => Interlocked.Read(ref _failed);

    public ConcurrentDictionary<int, long> ByVersion { get; } = new();

    /// <summary>Demo clock (ms) at which each version answered its first request.</summary>
    public ConcurrentDictionary<int, double> FirstAnsweredMs { get; } = new();

    public ConcurrentDictionary<string, byte> Errors { get; } = new();

    public async Task RunAsync(GrpcChannel channel, string model, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var status = await new Cascade.Contracts.Serving.V1.Serving.ServingClient(channel).GetServingStatusAsync(new GetServingStatusRequest(), GrpcCalls.Within(TimeSpan.FromSeconds(10)));
            if (status.Models.Any(m => m.Model == model)) break;
            try { await Task.Delay(50, stop); } catch (OperationCanceledException) { return; }
        }
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(() => WorkAsync(channel, model, stop))));
    }

    private async Task WorkAsync(GrpcChannel channel, string model, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var started = clock.Elapsed.TotalMilliseconds;
            try
            {
                var request = new PredictRequest { Model = model, EntityId = $"device-{Random.Shared.Next(entities):D4}" };
                var response = await new Cascade.Contracts.Serving.V1.Serving.ServingClient(channel).PredictAsync(request, GrpcCalls.Within(TimeSpan.FromSeconds(10)));
                var completed = clock.Elapsed.TotalMilliseconds;
                Interlocked.Increment(ref _predictions);
                ByVersion.AddOrUpdate(response.Version, 1, (_, n) => n + 1);
                FirstAnsweredMs.TryAdd(response.Version, completed);
                _requests.Enqueue((completed, completed - started, response.Version));
            }
            catch (RpcException ex)
            {
                Interlocked.Increment(ref _failed);
                Errors.TryAdd($"{ex.StatusCode}: {ex.Status.Detail}", 0);
            }
        }
    }

    /// <summary>
    /// Latency percentiles of every request (p50, p99) and of the requests that completed within
    /// <paramref name="around"/> of a hot swap (a version's first answer, after the first version): their p99 and max.
    /// </summary>
    public (double P50, double P99, double SwapP99, double SwapMax) Latencies(TimeSpan around)
    {
        var requests = _requests.ToArray();
        if (requests.Length == 0) return (0, 0, 0, 0);
        var swaps = FirstAnsweredMs.OrderBy(v => v.Value).Skip(1).Select(v => v.Value).ToArray();
        var window = around.TotalMilliseconds;
        var all = requests.Select(r => r.LatencyMs).Order().ToArray();
        var nearSwap = requests.Where(r => swaps.Any(s => Math.Abs(r.CompletedMs - s) <= window)).Select(r => r.LatencyMs).Order().ToArray();
        return (Percentile(all, 0.50), Percentile(all, 0.99), Percentile(nearSwap, 0.99), nearSwap.Length > 0 ? nearSwap[^1] : 0);
    }

    private static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
}
