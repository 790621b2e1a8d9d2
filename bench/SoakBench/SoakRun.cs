using System.Diagnostics;
using System.Runtime;
using Cascade.Cli.Demo;
using Cascade.Contracts;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Registry.V1;
using Cascade.Contracts.Serving.V1;
using Cascade.Contracts.Training.V1;
using Grpc.Core;

namespace Cascade.Bench.Soak;

/// <summary>One sample of the soak, taken every sampling period.</summary>
internal sealed record Sample(double Seconds, long Records, long Materialized, long Predictions, long Failed, long Rss, MemoryBreakdown? Memory, long Disk);

/// <summary>
/// The soak: the demo's dataset, feature view and training policy; records streamed through client-streaming
/// <c>Ingest</c> as fast as the deployment takes them, while closed-loop clients call <c>Predict</c> by entity id.
/// Samples memory and disk on a fixed period and ends with a summary against the run's own warm-up baseline.
/// </summary>
internal sealed class SoakRun(ISoakTarget target, SoakOptions options)
{
    // One Ingest call per chunk, so the acknowledged count advances during the run (a single call acknowledges only at its end).
    private const int ChunkRecords = 10_000;
    private const int BatchSize = 250;
    private readonly Stopwatch _clock = new();
    private readonly List<Sample> _samples = [];
    private long _acknowledged;
    private long _predictions;
    private long _failed;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _errors = new();

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var channels = target.Channels;
        await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(channels.Ingestion).RegisterDatasetAsync(new RegisterDatasetRequest { Spec = DemoDataset.Spec() }, GrpcCalls.Within(TimeSpan.FromSeconds(30), cancellationToken));
        await new Cascade.Contracts.Features.V1.Features.FeaturesClient(channels.Features).ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = DemoDataset.FeatureViewSpec() }, GrpcCalls.Within(TimeSpan.FromSeconds(30), cancellationToken));
        await new Cascade.Contracts.Training.V1.Training.TrainingClient(channels.Training).PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = DemoDataset.TrainingPolicy() }, GrpcCalls.Within(TimeSpan.FromSeconds(30), cancellationToken));
        var drift = options.DriftAt < options.Records ? $"drift at {options.DriftAt:N0}" : "no drift";
        Console.WriteLine($"soak: {options.Records:N0} records at {(options.Rate > 0 ? $"{options.Rate:N0}/s" : "full speed")} ({drift}) into {target.Name}, {options.Clients} Predict clients; the demo's training policy retrains every 10,000 labeled rows");
        if (options.FullGc) Console.WriteLine("--full-gc: a blocking compacting GC before each sample, so 'heap' is the live data (this perturbs RSS: diagnosis only)");
        Console.WriteLine($"{"t (s)",7} {"records",11} {"rec/s",8} {"features",11} {"predictions",12} {"pred/s",8} {"failed",7} {"RSS MB",8} {"heap MB",8} {"GC MB",7} {"sqlite",7} {"native",7} {"disk MB",9}");

        _clock.Start();
        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stopSampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var load = PredictAsync(stopLoad.Token);
        var sampling = SampleAsync(stopSampling.Token);
        var rejected = await IngestAsync(cancellationToken);
        var ingestSeconds = _clock.Elapsed.TotalSeconds;
        var caughtUp = await AwaitFeaturesAsync(TimeSpan.FromMinutes(2), cancellationToken);
        var featuresSeconds = _clock.Elapsed.TotalSeconds;
        await stopLoad.CancelAsync();
        await load;
        await stopSampling.CancelAsync();
        await sampling;
        await TakeSampleAsync();

        var (versions, promotions, swaps) = await ModelsAsync(cancellationToken);
        return Summarize(ingestSeconds, featuresSeconds, caughtUp, rejected, versions, promotions, swaps);
    }

    private async Task<long> IngestAsync(CancellationToken cancellationToken)
    {
        var stream = new SyntheticStream(options.DriftAt);
        var client = new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(target.Channels.Ingestion);
        var rejected = 0L;
        for (var start = 0L; start < options.Records; start += ChunkRecords)
        {
            var end = Math.Min(options.Records, start + ChunkRecords);
            using var call = client.Ingest(cancellationToken: cancellationToken);
            for (var sent = start; sent < end; sent += BatchSize)
            {
                if (options.Rate > 0)
                {
                    // Pace by the schedule, not a fixed sleep per batch, so slow batches do not lower the rate.
                    var wait = TimeSpan.FromSeconds((double)sent / options.Rate) - _clock.Elapsed;
                    if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken);
                }
                var request = new IngestRequest { Dataset = DemoDataset.Name };
                for (var i = sent; i < Math.Min(end, sent + BatchSize); i++)
                {
                    request.Records.Add(DemoDataset.ToRecord(stream.Next()));
                }
                await call.RequestStream.WriteAsync(request, cancellationToken);
            }
            await call.RequestStream.CompleteAsync();
            var response = await call.ResponseAsync;
            rejected += response.Errors.Count;
            Interlocked.Add(ref _acknowledged, response.Accepted + response.Duplicates);
        }
        return rejected;
    }

    /// <summary>Closed-loop clients: each sends its next <c>Predict</c> when the last one answered, from the first served model on.</summary>
    private async Task PredictAsync(CancellationToken stop)
    {
        var serving = new Cascade.Contracts.Serving.V1.Serving.ServingClient(target.Channels.Serving);
        try
        {
            while (true)
            {
                var status = await serving.GetServingStatusAsync(new GetServingStatusRequest(), GrpcCalls.Within(TimeSpan.FromSeconds(10), stop));
                if (status.Models.Any(m => m.Model == DemoDataset.Model)) break;
                await Task.Delay(100, stop);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException || (ex is RpcException rpc && rpc.StatusCode == StatusCode.Cancelled)) { return; }
        Console.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:F1} s] first model served at {Interlocked.Read(ref _acknowledged):N0} records: prediction load starts");
        await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(_ => Task.Run(async () =>
        {
            var random = new Random();
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var request = new PredictRequest { Model = DemoDataset.Model, EntityId = $"device-{random.Next(500):D4}" };
                    await serving.PredictAsync(request, GrpcCalls.Within(TimeSpan.FromSeconds(10)));
                    Interlocked.Increment(ref _predictions);
                }
                catch (RpcException ex)
                {
                    Interlocked.Increment(ref _failed);
                    _errors.AddOrUpdate($"{ex.StatusCode}: {ex.Status.Detail}", 1, (_, n) => n + 1);
                }
            }
        })));
    }

    private async Task SampleAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(options.SamplePeriod);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                await TakeSampleAsync();
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task TakeSampleAsync()
    {
        var seconds0 = _clock.Elapsed.TotalSeconds;
        var records = Interlocked.Read(ref _acknowledged);
        var materialized = await MaterializedAsync();
        if (options.FullGc)
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        }
        var sample = new Sample(seconds0, records, materialized, Interlocked.Read(ref _predictions), Interlocked.Read(ref _failed),
            target.ResidentBytes(), target.Memory(), target.Disk().Sum(d => d.Bytes));
        Sample? last;
        lock (_samples)
        {
            last = _samples.Count > 0 ? _samples[^1] : null;
            _samples.Add(sample);
        }
        var seconds = sample.Seconds - (last?.Seconds ?? 0);
        var recordRate = (sample.Records - (last?.Records ?? 0)) / seconds;
        var predictionRate = (sample.Predictions - (last?.Predictions ?? 0)) / seconds;
        Console.WriteLine($"{sample.Seconds,7:F0} {sample.Records,11:N0} {recordRate,8:N0} {sample.Materialized,11:N0} {sample.Predictions,12:N0} {predictionRate,8:N0} {sample.Failed,7:N0} {Mb(sample.Rss),8:F0} {Part(sample, m => m.GcHeap),8} {Part(sample, m => m.GcCommitted),7} {Part(sample, m => m.Sqlite),7} {Part(sample, m => m.OtherNative),7} {Mb(sample.Disk),9:F1}");
    }

    /// <summary>Rows Features has materialized so far (every demo record is labeled); -1 if it did not answer.</summary>
    private async Task<long> MaterializedAsync()
    {
        try
        {
            var status = await new Cascade.Contracts.Features.V1.Features.FeaturesClient(target.Channels.Features).GetMaterializationStatusAsync(
                new GetMaterializationStatusRequest { FeatureView = DemoDataset.FeatureView }, GrpcCalls.Within(TimeSpan.FromSeconds(5)));
            return status.LabeledRows;
        }
        catch (RpcException) { return -1; }
    }

    /// <summary>Waits until Features has materialized every acknowledged record (its labeled rows reach the count); false on timeout.</summary>
    private async Task<bool> AwaitFeaturesAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        var features = new Cascade.Contracts.Features.V1.Features.FeaturesClient(target.Channels.Features);
        var deadline = _clock.Elapsed + limit;
        while (_clock.Elapsed < deadline)
        {
            var status = await features.GetMaterializationStatusAsync(new GetMaterializationStatusRequest { FeatureView = DemoDataset.FeatureView }, GrpcCalls.Within(TimeSpan.FromSeconds(10), cancellationToken));
            if (status.LabeledRows >= Interlocked.Read(ref _acknowledged)) return true;
            await Task.Delay(250, cancellationToken);
        }
        return false;
    }

    private async Task<(int Versions, int Promotions, long Swaps)> ModelsAsync(CancellationToken cancellationToken)
    {
        var registry = new Cascade.Contracts.Registry.V1.Registry.RegistryClient(target.Channels.Registry);
        var versions = await registry.ListModelVersionsAsync(new ListModelVersionsRequest { Model = DemoDataset.Model }, GrpcCalls.Within(TimeSpan.FromSeconds(30), cancellationToken));
        var serving = await new Cascade.Contracts.Serving.V1.Serving.ServingClient(target.Channels.Serving).GetServingStatusAsync(new GetServingStatusRequest(), GrpcCalls.Within(TimeSpan.FromSeconds(10), cancellationToken));
        var swaps = serving.Models.FirstOrDefault(m => m.Model == DemoDataset.Model)?.Swaps ?? 0;
        // Each swap after the first load is a promotion that reached serving.
        return (versions.Versions.Count, (int)swaps + 1, swaps);
    }

    private int Summarize(double ingestSeconds, double featuresSeconds, bool caughtUp, long rejected, int versions, int promotions, long swaps)
    {
        Sample[] samples;
        lock (_samples) samples = [.. _samples];
        var end = samples[^1];
        var warm = samples.FirstOrDefault(s => s.Records >= options.WarmUpRecords) ?? end;
        // Thirds of the record range, so an idle tail (Features catching up) does not weigh as much as a third of the stream.
        var middle = samples.Where(s => s.Records >= options.Records / 3 && s.Records < 2 * options.Records / 3).ToArray();
        var last = samples.Where(s => s.Records >= 2 * options.Records / 3).ToArray();
        var afterWarm = samples.Where(s => s.Records >= warm.Records).ToArray();
        var rssSlope = Slope(afterWarm, s => s.Rss) * 100_000;
        var diskSlope = Slope(afterWarm, s => s.Disk) * 100_000;
        var (middleRss, lastRss, change) = Thirds(middle, last, s => s.Rss);
        var flat = middle.Length > 0 && last.Length > 0 && change <= options.FlatPercent;

        Console.WriteLine();
        Console.WriteLine($"summary — {target.Name}, {options.Records:N0} records at {(options.Rate > 0 ? $"{options.Rate:N0}/s" : "full speed")}, {options.Clients} Predict clients, sampled every {options.SamplePeriod.TotalSeconds:F0} s ({samples.Length} samples)");
        Row("measure", "value", "baseline in this run");
        Row("---", "---:", "---");
        Row("records/s, overall (ingest)", $"{end.Records / ingestSeconds:N0}", $"{end.Records:N0} records in {ingestSeconds:F0} s; {rejected:N0} rejected");
        Row("Features caught up", caughtUp ? $"{featuresSeconds - ingestSeconds:F1} s after the last ack" : "NO (timed out after 2 min)", "");
        Row("predictions, failed requests", $"{end.Predictions:N0}, {end.Failed:N0}", end.Failed == 0 ? "0 required: ok" : "0 required: FAILED");
        Row("model versions, promotions reaching serving", $"{versions}, {promotions} ({swaps} swaps)", "");
        Row("RSS after warm-up → end (MB)", $"{Mb(warm.Rss):F0} → {Mb(end.Rss):F0}", $"warm-up = first sample at ≥ {options.WarmUpRecords:N0} records ({warm.Records:N0})");
        Row("RSS slope after warm-up (MB per 100k records)", $"{Mb((long)rssSlope):F1}", "least squares over the samples after warm-up");
        Row("RSS, middle third → last third of the records (MB, mean)", $"{Mb((long)middleRss):F0} → {Mb((long)lastRss):F0} ({change:+0.0;-0.0}%)", $"flat if within +{options.FlatPercent:F0}%: {(flat ? "FLAT" : "GROWING")}");
        if (end.Memory is not null)
        {
            // Which part of RSS grows: a managed leak shows in the heap, SQLite's caches in its allocator, the rest in "other native".
            foreach (var (name, part) in new (string, Func<MemoryBreakdown, long>)[]
            {
                ("managed heap after last GC", m => m.GcHeap), ("GC committed", m => m.GcCommitted), ("SQLite allocator", m => m.Sqlite),
                ("other native (anonymous RSS − GC − SQLite)", m => m.OtherNative),
            })
            {
                Func<Sample, long> y = s => s.Memory is { } m ? part(m) : 0;
                var (middlePart, lastPart, partChange) = Thirds(middle, last, y);
                Row($"{name}: warm-up → end, middle → last third (MB)",
                    $"{Mb(y(warm)):F0} → {Mb(y(end)):F0}; {Mb((long)middlePart):F0} → {Mb((long)lastPart):F0} ({partChange:+0.0;-0.0}%)",
                    $"slope {Mb((long)(Slope(afterWarm, y) * 100_000)):F1} MB per 100k records");
            }
        }
        Row("disk after warm-up → end (MB)", $"{Mb(warm.Disk):F1} → {Mb(end.Disk):F1}", $"slope {Mb((long)diskSlope):F1} MB per 100k records; {(double)end.Disk / Math.Max(1, end.Records):F0} bytes per record");
        Console.WriteLine();
        Console.WriteLine("disk at the end, by part:");
        foreach (var (part, bytes) in target.Disk().Where(d => d.Bytes >= 100_000).OrderByDescending(d => d.Bytes))
        {
            Console.WriteLine($"  {part,-40} {Mb(bytes),10:F1} MB");
        }
        Console.WriteLine("retention in force:");
        foreach (var line in target.Retention()) Console.WriteLine($"  {line}");
        foreach (var (error, count) in _errors.OrderByDescending(e => e.Value).Take(5))
        {
            Console.WriteLine($"failed request ×{count}: {error}");
        }
        return end.Failed == 0 && rejected == 0 && caughtUp ? 0 : 1;
    }

    /// <summary>Means of <paramref name="y"/> over the middle and last thirds, and the change between them in percent.</summary>
    private static (double Middle, double Last, double ChangePercent) Thirds(Sample[] middle, Sample[] last, Func<Sample, long> y)
    {
        var m = middle.Length > 0 ? middle.Average(s => (double)y(s)) : double.NaN;
        var l = last.Length > 0 ? last.Average(s => (double)y(s)) : double.NaN;
        return (m, l, (l / m - 1) * 100);
    }

    private static string Part(Sample sample, Func<MemoryBreakdown, long> part) => sample.Memory is { } m ? Mb(part(m)).ToString("F0") : "-";

    private static void Row(string measure, string value, string baseline) => Console.WriteLine($"| {measure} | {value} | {baseline} |");

    /// <summary>Least-squares slope of <paramref name="y"/> against records ingested (per record).</summary>
    private static double Slope(IReadOnlyList<Sample> samples, Func<Sample, long> y)
    {
        if (samples.Count < 2) return 0;
        var mx = samples.Average(s => (double)s.Records);
        var my = samples.Average(s => (double)y(s));
        var sxx = samples.Sum(s => (s.Records - mx) * (s.Records - mx));
        return sxx == 0 ? 0 : samples.Sum(s => (s.Records - mx) * (y(s) - my)) / sxx;
    }

    private static double Mb(long bytes) => bytes / (1024.0 * 1024.0);
}
