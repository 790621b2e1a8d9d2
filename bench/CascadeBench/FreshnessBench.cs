using System.Diagnostics;
using Cascade.Cli.Demo;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Features;
using Grpc.Net.Client;
using Cascade.Hosting;
using Cascade.Ingestion;
using Cascade.Storage.Redis;

namespace Cascade.Bench;

/// <summary>
/// Freshness on the local servers: from a producer sending a record over gRPC to its feature vector being readable
/// in Redis, through Ingestion, Kafka and Features, while a steady stream loads the same path. Each probe is a record
/// of an entity never seen before, polled for in Redis until it appears. The baseline of the same run is the probe's
/// own acknowledgement (Ingestion has it on the broker, acks=all): what freshness adds on top is Features' share.
/// </summary>
internal static class FreshnessBench
{
    public static async Task<IReadOnlyList<string>> RunAsync(int probes, int loadRate)
    {
        var run = $"fresh{Guid.NewGuid():N}"[..14];
        var infrastructure = new InfrastructureOptions { EventLog = "kafka", OnlineStore = "redis" };
        infrastructure.Kafka.Namespace = run;
        infrastructure.Redis.KeyPrefix = run;
        var data = Directory.CreateTempSubdirectory("cascade-bench-freshness-").FullName;
        // Ingestion and Features, the two services on the path (their own processes in the distributed deployment).
        var options = new ServiceHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = data, Infrastructure = infrastructure };
        await using var host = ServiceHost.Build(options, [Cascade.Contracts.Ingestion.V1.Ingestion.Descriptor.FullName, Cascade.Contracts.Features.V1.Features.Descriptor.FullName], (services, directory) =>
        {
            services.AddCascadeIngestion(o => o.DatabasePath = Path.Combine(directory, "ingestion.db"));
            services.AddCascadeFeatures(directory);
        }, _ => { });
        await host.StartAsync();
        using var channel = GrpcChannel.ForAddress(ServiceHost.GetAddresses(host, options.BindAddress).Grpc);
        await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(channel).RegisterDatasetAsync(new RegisterDatasetRequest { Spec = DemoDataset.Spec() });
        await new Cascade.Contracts.Features.V1.Features.FeaturesClient(channel).ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = DemoDataset.FeatureViewSpec() });
        using var redis = new RedisOnlineStore(new RedisOnlineStoreOptions { Configuration = infrastructure.Redis.Configuration, KeyPrefix = run });

        var stream = new SyntheticStream(driftAt: long.MaxValue);
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            // loadRate records/s in batches every 50 ms.
            var perBatch = Math.Max(1, loadRate / 20);
            var clock = Stopwatch.StartNew();
            for (var sent = 0L; !stop.IsCancellationRequested; sent += perBatch)
            {
                var wait = TimeSpan.FromSeconds((double)sent / loadRate) - clock.Elapsed;
                if (wait > TimeSpan.Zero) await Task.Delay(wait);
                var request = new IngestRequest { Dataset = DemoDataset.Name };
                for (var i = 0; i < perBatch; i++) request.Records.Add(DemoDataset.ToRecord(stream.Next()));
                await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(channel).IngestBatchAsync(request);
            }
        });

        var freshness = new List<double>(probes);
        var acks = new List<double>(probes);
        await Task.Delay(TimeSpan.FromSeconds(2)); // the consumer group has its partitions
        for (var n = 0; n < probes + 10; n++)
        {
            var record = DemoDataset.ToRecord(stream.Next());
            record.EntityId = $"probe-{n}";
            record.RecordId = $"probe-{run}-{n}";
            var started = Stopwatch.GetTimestamp();
            var ack = Task.Run(async () =>
            {
                await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(channel).IngestBatchAsync(new IngestRequest { Dataset = DemoDataset.Name, Records = { record } });
                return Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            });
            while (await redis.ReadAsync(DemoDataset.FeatureView, record.EntityId) is null)
            {
                if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(30)) throw new TimeoutException($"probe {n} never reached Redis");
                await Task.Delay(1);
            }
            var seen = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            var acked = await ack;
            if (n >= 10) // the first probes warm up the path
            {
                freshness.Add(seen);
                acks.Add(acked);
            }
            await Task.Delay(100);
        }
        await stop.CancelAsync();
        await load;
        Directory.Delete(data, recursive: true);
        var fresh = new Latencies(freshness);
        var acked2 = new Latencies(acks);
        return [$"| freshness, record sent → its features in Redis, {fresh.Count} probes beside {loadRate:N0} records/s | p50 {Latencies.Ms(fresh.P50)} ms, p99 {Latencies.Ms(fresh.P99)} ms, max {Latencies.Ms(fresh.Max)} ms | the probe's own acknowledgement (on the broker, acks=all): p50 {Latencies.Ms(acked2.P50)} ms, p99 {Latencies.Ms(acked2.P99)} ms | p99 ≤ 100 ms |"];
    }
}
