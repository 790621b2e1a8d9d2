using System.Diagnostics;
using Cascade.Cli.Demo;
using Cascade.Contracts.Events;
using Cascade.Contracts.Ingestion.V1;
using Grpc.Net.Client;
using Cascade.Host;
using Cascade.Hosting;
using Cascade.Ingestion;
using Cascade.Storage.OnlineStore;
using Cascade.Storage.Redis;
using Google.Protobuf;
using StackExchange.Redis;

namespace Cascade.Bench;

/// <summary>
/// The distributed deployment's seams on the local servers (<c>./cascade infra up</c> first): ingestion over gRPC
/// client-streaming into Kafka against kcat producing the same records, and online lookups from Redis against a PING.
/// </summary>
internal static class ServersBench
{
    public static async Task<IReadOnlyList<string>> RunAsync(int records)
    {
        var lines = new List<string>();
        lines.AddRange(await IngestionIntoKafkaAsync(records));
        lines.AddRange(await FreshnessBench.RunAsync(probes: records >= 50_000 ? 200 : 50, loadRate: 2_000));
        lines.AddRange(await RedisLookupAsync(20_000));
        return lines;
    }

    private static async Task<IReadOnlyList<string>> IngestionIntoKafkaAsync(int count)
    {
        var run = $"bench{Guid.NewGuid():N}"[..14];
        var infrastructure = new InfrastructureOptions { EventLog = "kafka" };
        infrastructure.Kafka.Namespace = run;
        var data = Directory.CreateTempSubdirectory("cascade-bench-kafka-").FullName;
        // The Ingestion service alone, as its process of the distributed deployment runs it.
        var options = new ServiceHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = data, Infrastructure = infrastructure };
        await using var host = ServiceHost.Build(options, [Cascade.Contracts.Ingestion.V1.Ingestion.Descriptor.FullName],
            (services, directory) => services.AddCascadeIngestion(o => o.DatabasePath = Path.Combine(directory, "ingestion.db")), _ => { });
        await host.StartAsync();
        using var channel = GrpcChannel.ForAddress(ServiceHost.GetAddresses(host, options.BindAddress).Grpc);
        await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(channel).RegisterDatasetAsync(new RegisterDatasetRequest { Spec = DemoDataset.Spec() });
        var stream = new SyntheticStream(driftAt: long.MaxValue);
        var records = Enumerable.Range(0, count).Select(_ => DemoDataset.ToRecord(stream.Next())).ToArray();

        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        var stopwatch = Stopwatch.StartNew();
        using (var call = new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(channel).Ingest())
        {
            for (var i = 0; i < count; i += 500)
            {
                var request = new IngestRequest { Dataset = DemoDataset.Name };
                request.Records.Add(records.Skip(i).Take(500));
                await call.RequestStream.WriteAsync(request);
            }
            await call.RequestStream.CompleteAsync();
            await call.ResponseAsync;
        }
        var ours = count / stopwatch.Elapsed.TotalSeconds;
        // Client and service share this process: its CPU per record says whether the cores or the waits bound the rate.
        var cpuPerRecord = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds / count;
        var wallPerRecord = stopwatch.Elapsed.TotalMicroseconds / count;
        var allocatedPerRecord = (GC.GetTotalAllocatedBytes() - allocatedBefore) / count;

        // kcat producing the same records (the envelope bytes ingestion appends, base64 so they fit kcat's lines).
        var file = Path.Combine(data, "records.txt");
        await File.WriteAllLinesAsync(file, records.Select(r => $"{r.EntityId}\t{Convert.ToBase64String(EventEnvelopes.Wrap(new Cascade.Contracts.Events.V1.DataRecord { EntityId = r.EntityId, Values = { r.Values } }, r.EntityId, "bench").ToByteArray())}"));
        stopwatch.Restart();
        var kcat = Process.Start(new ProcessStartInfo("kcat", ["-P", "-b", "127.0.0.1:9092", "-X", "api.version.request=false", "-X", "broker.version.fallback=0.9.0.1",
            "-X", "acks=all", "-t", $"{run}.kcat", "-K", "\t", "-l", file]) { RedirectStandardError = true })!;
        await kcat.WaitForExitAsync();
        var baseline = count / stopwatch.Elapsed.TotalSeconds;
        Directory.Delete(data, recursive: true);
        return [$"| ingestion into Kafka, {count:N0} records, gRPC client-streaming through Ingestion | {ours:N0} records/s ({cpuPerRecord:F1} µs CPU and {allocatedPerRecord:N0} B allocated by client and service per record, {wallPerRecord:F1} µs wall) | kcat -P (acks=all), same records: {baseline:N0} records/s; {ours / baseline:F2}× | ≥ 0.5× |"];
    }

    private static async Task<IReadOnlyList<string>> RedisLookupAsync(int calls)
    {
        const int Features = 50;
        var prefix = $"bench{Guid.NewGuid():N}"[..14];
        using var store = new RedisOnlineStore(new RedisOnlineStoreOptions { Configuration = "127.0.0.1:6379,abortConnect=false", KeyPrefix = prefix });
        var random = new Random(5);
        await store.WriteBatchAsync("wide", Enumerable.Range(0, 10_000).Select(e => new FeatureVector($"e{e}", Enumerable.Range(0, Features).Select(_ => random.NextDouble()).ToArray(), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow)).ToArray());
        using var redis = ConnectionMultiplexer.Connect("127.0.0.1:6379");
        var database = redis.GetDatabase();
        async Task<Latencies> Measure(Func<int, Task> call)
        {
            for (var i = 0; i < 1_000; i++) await call(i);
            var samples = new double[calls];
            for (var i = 0; i < calls; i++)
            {
                var start = Stopwatch.GetTimestamp();
                await call(i);
                samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            }
            return new Latencies(samples);
        }
        var lookup = await Measure(async i => await store.ReadAsync("wide", $"e{i % 10_000}"));
        var ping = await Measure(async _ => await database.PingAsync());
        return [$"| online lookup from Redis, 1 entity × {Features} features | p50 {Latencies.Ms(lookup.P50)} ms, p99 {Latencies.Ms(lookup.P99)} ms | Redis PING: p50 {Latencies.Ms(ping.P50)} ms, p99 {Latencies.Ms(ping.P99)} ms | p99 ≤ 2 ms |"];
    }
}
