using Cascade.Contracts;
using System.Collections.Concurrent;
using System.Diagnostics;
using Cascade.Cli.Demo;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Registry.V1;
using Cascade.Contracts.Serving.V1;
using Cascade.Contracts.Training.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cascade.Bench;

/// <summary>
/// Hot swaps under a closed-loop prediction load: a steady phase (the baseline, measured in the same run), then a
/// phase where the champion is swapped every half second (promote v2 / roll back to v1, each a real load: fetch,
/// verify, compile, golden samples, warm-up). Reports throughput, failures, and latency in the windows after swaps.
/// </summary>
internal static class SwapUnderLoadBench
{
    public static async Task<IReadOnlyList<string>> RunAsync(BenchHost host, int workers, TimeSpan phase, int swaps)
    {
        await PrepareTwoVersionsAsync(host.Channel);
        var clock = Stopwatch.StartNew();
        var samples = new ConcurrentQueue<(double CompletedMs, double LatencyUs)>();
        long failures = 0;
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            while (!stop.IsCancellationRequested)
            {
                var request = new PredictRequest { Model = DemoDataset.Model, Features = new FeatureVector { Values = { Enumerable.Range(0, 10).Select(_ => (float)random.NextDouble()) } } };
                var start = Stopwatch.GetTimestamp();
                try
                {
                    await new Cascade.Contracts.Serving.V1.Serving.ServingClient(host.Channel).PredictAsync(request, GrpcCalls.Within(TimeSpan.FromSeconds(10)));
                    samples.Enqueue((clock.Elapsed.TotalMilliseconds, Stopwatch.GetElapsedTime(start).TotalMicroseconds));
                }
                catch (RpcException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();

        await Task.Delay(TimeSpan.FromSeconds(1)); // warm-up, not counted
        var steadyFrom = clock.Elapsed.TotalMilliseconds;
        await Task.Delay(phase);
        var steadyTo = clock.Elapsed.TotalMilliseconds;
        var swapTimes = new List<double>();
        for (var i = 0; i < swaps; i++)
        {
            swapTimes.Add(clock.Elapsed.TotalMilliseconds);
            if (i % 2 == 0)
            {
                await new Cascade.Contracts.Registry.V1.Registry.RegistryClient(host.Channel).PromoteModelVersionAsync(new PromoteModelVersionRequest { Model = DemoDataset.Model, Version = 2, Reason = "bench: swap under load", Actor = "bench", Force = true });
            }
            else
            {
                await new Cascade.Contracts.Registry.V1.Registry.RegistryClient(host.Channel).RollbackModelAsync(new RollbackModelRequest { Model = DemoDataset.Model, ToVersion = 1, Reason = "bench: swap under load", Actor = "bench" });
            }
            await Task.Delay(phase / swaps);
        }
        var swapsTo = clock.Elapsed.TotalMilliseconds;
        await stop.CancelAsync();
        await Task.WhenAll(load);
        var status = await new Cascade.Contracts.Serving.V1.Serving.ServingClient(host.Channel).GetServingStatusAsync(new GetServingStatusRequest());

        var all = samples.ToArray();
        var steady = new Latencies(all.Where(s => s.CompletedMs >= steadyFrom && s.CompletedMs < steadyTo).Select(s => s.LatencyUs));
        var window = phase.TotalMilliseconds / swaps;
        var around = new Latencies(all.Where(s => swapTimes.Any(t => s.CompletedMs >= t && s.CompletedMs < t + window)).Select(s => s.LatencyUs));
        var steadyRate = steady.Count / ((steadyTo - steadyFrom) / 1000);
        var swapRate = around.Count / ((swapsTo - steadyTo) / 1000);
        return
        [
            $"| Predict (10 features inline), steady, {workers} clients: {steadyRate:N0} req/s | {Latencies.Ms(steady.P50)} | {Latencies.Ms(steady.P99)} | baseline | |",
            $"| Predict during {swaps} hot swaps ({status.Models[0].Swaps} swaps served in all): {swapRate:N0} req/s, {failures} failed | {Latencies.Ms(around.P50)} | {Latencies.Ms(around.P99)} | {around.P99 / steady.P99:F2}× steady p99; max {Latencies.Ms(around.Max)} ms | 0 failed, p99 ≤ 2× steady |",
        ];
    }

    /// <summary>v1 trained and promoted from 10,500 demo records; v2 trained on the same data (registered as challenger).</summary>
    private static async Task PrepareTwoVersionsAsync(GrpcChannel channel)
    {
        await RecordStreamer.SetUpAsync(channel, CancellationToken.None);
        var stream = new SyntheticStream(driftAt: long.MaxValue);
        for (var batch = 0; batch < 3; batch++)
        {
            var request = new IngestRequest { Dataset = DemoDataset.Name };
            request.Records.Add(Enumerable.Range(0, 3_500).Select(_ => DemoDataset.ToRecord(stream.Next())));
            await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(channel).IngestBatchAsync(request);
        }
        await WaitAsync(channel, m => m.Version == 1);
        await new Cascade.Contracts.Training.V1.Training.TrainingClient(channel).TriggerTrainingAsync(new TriggerTrainingRequest { Model = DemoDataset.Model, Reason = "bench" });
        await WaitAsync(channel, m => m.ChallengerVersion == 2);
    }

    private static async Task WaitAsync(GrpcChannel channel, Func<LoadedModel, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            var status = await new Cascade.Contracts.Serving.V1.Serving.ServingClient(channel).GetServingStatusAsync(new GetServingStatusRequest());
            if (status.Models.FirstOrDefault(m => m.Model == DemoDataset.Model) is { } model && condition(model)) return;
            await Task.Delay(100);
        }
        throw new TimeoutException("The bench's models were not ready within 2 minutes.");
    }
}
