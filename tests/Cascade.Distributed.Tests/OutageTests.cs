using Cascade.Contracts;
using System.Diagnostics;
using Cascade.Cli.Demo;
using Cascade.Cli.Distributed;
using Cascade.Contracts.Events;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Registry.V1;
using Cascade.Contracts.Serving.V1;
using Cascade.Contracts.Training.V1;
using Cascade.EventLog.Kafka;
using Grpc.Core;
using Grpc.Net.Client;
using Record = Cascade.Contracts.Ingestion.V1.Record;

namespace Cascade.Distributed.Tests;

/// <summary>
/// Outages under load across the separate processes: the registry down while serving answers, Kafka restarted
/// while records stream in and predictions keep coming, RabbitMQ down when a retraining job is created. Afterwards
/// every record was materialized exactly once, the job trained exactly one version, and no prediction failed.
/// Then Redis restarts empty: predictions by entity fail fast and retryably meanwhile, and the online store is rebuilt.
/// </summary>
public sealed class OutageTests
{
    private const int Total = 21_000;
    private const int BeforeRestart = 10_500;
    private const int BeforeRabbitMqOutage = 14_000;

    [Fact]
    public async Task Serving_answers_through_a_registry_outage_and_a_kafka_restart_and_no_record_is_lost_or_counted_twice_and_a_redis_restart_heals_itself()
    {
        var run = IsolatedCluster.NewNamespace("outage");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(12));
        await using var cluster = await IsolatedCluster.StartAsync(run, timeout.Token);
        var channels = cluster.Channels;
        await RecordStreamer.SetUpAsync(channels, timeout.Token);
        var stream = new SyntheticStream(driftAt: long.MaxValue);
        var records = Enumerable.Range(0, Total).Select(_ => DemoDataset.ToRecord(stream.Next())).ToArray();

        // The first 10,000 labeled rows train v1; serving loads it.
        await ClusterDriver.IngestAsync(channels, records, 0, BeforeRestart, pause: TimeSpan.Zero, timeout.Token);
        await ClusterDriver.AwaitServedModelAsync(channels, TimeSpan.FromMinutes(3));

        using var load = new ClosedLoopLoad(channels, records.Take(BeforeRestart).Select(r => r.EntityId).Distinct().ToArray(), clients: 2);
        await Task.Delay(TimeSpan.FromSeconds(1));

        // The registry goes down: serving has its model and never asks the registry on the request path.
        cluster.Hold("registry");
        var before = load.Answered;
        await Task.Delay(TimeSpan.FromSeconds(5));
        load.Answered.Should().BeGreaterThan(before + 100, "serving keeps answering while the registry is down");
        load.Failures.Should().BeEmpty();
        cluster.Release("registry");
        await cluster.AwaitHealthyAsync(TimeSpan.FromMinutes(2), timeout.Token);

        // Kafka restarts while the rest of the records stream in (the producer re-sends a batch that was refused).
        var producer = ClusterDriver.IngestAsync(channels, records, BeforeRestart, BeforeRabbitMqOutage, pause: TimeSpan.FromMilliseconds(150), timeout.Token);
        await Task.Delay(TimeSpan.FromSeconds(1));
        await InfraAsync("down.sh", "kafka");
        var downAt = load.Answered;
        await Task.Delay(TimeSpan.FromSeconds(3));
        load.Answered.Should().BeGreaterThan(downAt + 100, "serving answers from Redis and its loaded model while the broker is down");
        await InfraAsync("up.sh", "kafka");
        await producer;

        // RabbitMQ goes down; the records that follow add 7,000 labeled rows, so the second job's 10,000 are reached, so a retraining job is created
        // while the job broker is away. Its command waits in Training's outbox and is sent once RabbitMQ is back.
        await InfraAsync("down.sh", "rabbitmq");
        await ClusterDriver.IngestAsync(channels, records, BeforeRabbitMqOutage, Total, pause: TimeSpan.Zero, timeout.Token);
        var status = await ClusterDriver.AwaitMaterializedAsync(channels, Total, TimeSpan.FromMinutes(4));
        status.LabeledRows.Should().Be(Total, "every record became exactly one labeled row, across the broker restart");
        await Task.Delay(TimeSpan.FromSeconds(2));
        await InfraAsync("up.sh", "rabbitmq");
        var jobs = await AwaitJobsFinishedAsync(channels, expected: 2, TimeSpan.FromMinutes(3));
        jobs.Should().OnlyContain(j => j.Status.State == JobState.Succeeded, "the job created while RabbitMQ was down still ran");
        var versions = await new Cascade.Contracts.Registry.V1.Registry.RegistryClient(channels.Registry).ListModelVersionsAsync(new ListModelVersionsRequest { Model = DemoDataset.Model });
        // A drift alert on the young model may add a job of its own: what must hold is one version per job.
        var jobsOfVersions = versions.Versions.Select(v => v.Spec.Lineage.TrainingJobId).ToArray();
        jobsOfVersions.Should().OnlyHaveUniqueItems("each job trained and registered exactly one version");
        jobs.Select(j => j.Id).Should().BeSubsetOf(jobsOfVersions, "every finished job registered its version");
        await load.StopAsync();
        load.Failures.Should().BeEmpty();
        load.Answered.Should().BeGreaterThan(1_000);

        // Redis restarts, without persistence: it comes back empty. While it is down, a prediction by entity id fails
        // at once with UNAVAILABLE (retryable), never after a deadline; afterwards Features notices the loss and writes
        // every entity's vector again, so every entity answers without anyone's help.
        var entities = records.Select(r => r.EntityId).Distinct().ToArray();
        await InfraAsync("down.sh", "redis");
        await Task.Delay(TimeSpan.FromSeconds(1));
        using (var outage = new ClosedLoopLoad(channels, entities, clients: 2))
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            await outage.StopAsync();
            outage.Failures.Should().OnlyContain(f => f.StartsWith("Unavailable:"), "an unreachable online store is a retryable outage");
            outage.Failures.Count.Should().BeGreaterThan(20, "each failure comes at once, not after the 5 s deadline");
        }
        await InfraAsync("up.sh", "redis");
        await AwaitEveryEntityAnswersAsync(channels, entities, TimeSpan.FromMinutes(1));

        // At-least-once on the broker (a batch refused mid-restart may have been stored in part and sent again);
        // the features above show the copies were dropped by record id.
        await using var kafka = new KafkaEventLog(new KafkaEventLogOptions { Namespace = run });
        (await kafka.GetEndOffsetsAsync(Topics.Data(DemoDataset.Name))).Values.Sum().Should().BeGreaterThanOrEqualTo(Total);
    }

    /// <summary>Waits until a prediction by entity id succeeds for every entity (checked in one pass after the first success).</summary>
    private static async Task AwaitEveryEntityAnswersAsync(CascadeChannels channels, string[] entities, TimeSpan limit)
    {
        var client = new Cascade.Contracts.Serving.V1.Serving.ServingClient(channels.Serving);
        var deadline = DateTime.UtcNow + limit;
        var missing = entities.ToList();
        while (missing.Count > 0)
        {
            var still = new List<string>();
            foreach (var entity in missing)
            {
                try
                {
                    await client.PredictAsync(new PredictRequest { Model = DemoDataset.Model, EntityId = entity }, GrpcCalls.Within(TimeSpan.FromSeconds(5)));
                }
                catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.NotFound)
                {
                    still.Add(entity);
                }
            }
            missing = still;
            if (missing.Count == 0) return;
            DateTime.UtcNow.Should().BeBefore(deadline, $"every entity answers again after the Redis restart ({missing.Count} of {entities.Length} still do not, e.g. {missing[0]})");
            await Task.Delay(500);
        }
    }

    private static async Task<IReadOnlyList<TrainingJob>> AwaitJobsFinishedAsync(CascadeChannels channels, int expected, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var jobs = (await new Cascade.Contracts.Training.V1.Training.TrainingClient(channels.Training).ListJobsAsync(new ListJobsRequest { Model = DemoDataset.Model })).Jobs;
            if (jobs.Count >= expected && jobs.All(j => j.Status.State is JobState.Succeeded or JobState.Failed)) return jobs;
            DateTime.UtcNow.Should().BeBefore(deadline, $"{expected} jobs finish (now: {string.Join(", ", jobs.Select(j => $"{j.Id} {j.Status.State}"))})");
            await Task.Delay(500);
        }
    }

    /// <summary>Runs one of the project's infra scripts (the servers test.sh started) and fails the test if it fails.</summary>
    private static async Task InfraAsync(string script, string server)
    {
        var root = DistributedCascadeTests.RepositoryRoot();
        using var process = Process.Start(new ProcessStartInfo(Path.Combine(root, "infra", script), [server]) { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.Should().Be(0, $"infra/{script} {server} failed: {output}");
        // down.sh stops only what up.sh started: a server started some other way would stay up and the test
        // would see no outage at all.
        var port = Ports[server];
        IsListening(port).Should().Be(script == "up.sh", $"{server} is {(script == "up.sh" ? "up" : "down")} on port {port} after infra/{script} (the servers must be those infra/up.sh started, as test.sh does)");
    }

    private static readonly Dictionary<string, int> Ports = new() { ["kafka"] = 9092, ["rabbitmq"] = 5672, ["redis"] = 6379 };

    private static bool IsListening(int port)
    {
        using var client = new System.Net.Sockets.TcpClient();
        try
        {
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>Clients predicting by entity id back to back, counting answers and keeping every failure.</summary>
    private sealed class ClosedLoopLoad : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task[] _clients;
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _failures = new();
        private long _answered;

        public ClosedLoopLoad(CascadeChannels channels, string[] entities, int clients)
        {
            _clients = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
            {
                var random = new Random(c);
                while (!_stop.IsCancellationRequested)
                {
                    try
                    {
                        var request = new PredictRequest { Model = DemoDataset.Model, EntityId = entities[random.Next(entities.Length)] };
                        await new Cascade.Contracts.Serving.V1.Serving.ServingClient(channels.Serving).PredictAsync(request, GrpcCalls.Within(TimeSpan.FromSeconds(5)));
                        Interlocked.Increment(ref _answered);
                    }
                    catch (RpcException ex)
                    {
                        _failures.Enqueue($"{ex.StatusCode}: {ex.Message}");
                    }
                }
            })).ToArray();
        }

        public long Answered => Interlocked.Read(ref _answered);

        public IReadOnlyCollection<string> Failures => _failures.ToArray();

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_clients);
        }

        public void Dispose()
        {
            _stop.Cancel();
            _stop.Dispose();
        }
    }
}
