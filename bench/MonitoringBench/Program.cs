// One-thread cost of Monitoring reading predictions: MonitoringProcessor.HandleAsync on batches of 2,000 pre-built
// PredictionLogged envelopes (the bytes Serving writes), no checkpoint in the measured part. Reports CPU µs (this
// thread's, CLOCK_THREAD_CPUTIME_ID) and bytes allocated on this thread per prediction; best and median of 7 rounds.
// Then the CPU of a checkpoint that rewrites the 100,000 predictions left waiting for labels.
using System.Runtime.InteropServices;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.EventLog.Abstractions;
using Cascade.Monitoring.Alerts;
using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Options;
using Cascade.Monitoring.Profiles;
using Cascade.Monitoring.Storage;
using Cascade.Monitoring.Streaming;
using Cascade.Monitoring.Tests.Fixtures;
using Cascade.Storage.Artifacts;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;

const int Batch = 2_000, Warm = 100_000, PerRound = 50_000, Rounds = 7;
var dir = Directory.CreateTempSubdirectory("monbench-").FullName;
var options = new MonitoringServiceOptions { DatabasePath = Path.Combine(dir, "m.db"), CheckpointInterval = TimeSpan.FromDays(1) };
if (Environment.GetEnvironmentVariable("STRIDE") is { } stride) options.Drift.Window.EvaluationStride = int.Parse(stride);
var monitors = new ModelMonitors(options.Drift);
monitors.Activate(SyntheticModel.Name, 1, SyntheticModel.Profile(new()), ModelTask.BinaryClassification);
using var store = new MonitoringStore(options.DatabasePath);
var processor = new MonitoringProcessor(monitors, new ArtifactProfileLoader(new LocalArtifactStore(Path.Combine(dir, "a"))), store, new AlertFeed(),
    new NoLog(), options, TimeProvider.System, NullLogger<MonitoringProcessor>.Instance);

var draw = new Draw(7);
var start = new DateTime(2026, 12, 6, 0, 0, 0, DateTimeKind.Utc);
var total = Warm + PerRound * Rounds;
var records = new ConsumedRecord[total];
for (var i = 0; i < total; i++)
{
    var x = SyntheticModel.DrawFeatures(draw, new());
    var p = SyntheticModel.Predict(x);
    var id = Guid.NewGuid().ToString("N");
    var logged = new PredictionLogged
    {
        PredictionId = id, RequestId = "req-" + i, Model = SyntheticModel.Name, Version = 1, EntityId = "customer-" + draw.Uniform(0, 1e6).ToString("0"),
        Features = { x }, Outputs = { p }, LatencyMicros = 42, Time = Timestamp.FromDateTime(start.AddTicks(i * 1234L)),
    };
    var envelope = EventEnvelopes.Wrap(logged, SyntheticModel.Name, "cascade-serving", eventId: id, traceparent: "");
    envelope.OccurredAt = logged.Time;
    records[i] = new ConsumedRecord(Topics.PredictionsLogged, 0, i, SyntheticModel.Name, envelope.ToByteArray(), start.AddTicks(i * 1234L));
}
Console.WriteLine($"envelope bytes: {records[0].Value.Length}");

var next = 0;
void Run(int count)
{
    for (var done = 0; done < count; done += Batch)
    {
        processor.HandleAsync(new ArraySegment<ConsumedRecord>(records, next, Batch), CancellationToken.None).GetAwaiter().GetResult();
        next += Batch;
    }
}
Run(Warm);
var cpu = new List<double>();
var bytes = new List<double>();
for (var r = 0; r < Rounds; r++)
{
    GC.Collect();
    var a0 = GC.GetAllocatedBytesForCurrentThread();
    var t0 = ThreadCpu.Now();
    Run(PerRound);
    var t1 = ThreadCpu.Now();
    var a1 = GC.GetAllocatedBytesForCurrentThread();
    cpu.Add((t1 - t0) / 1e3 / PerRound);
    bytes.Add((double)(a1 - a0) / PerRound);
}
cpu.Sort();
bytes.Sort();
var health = monitors.Health(SyntheticModel.Name)!;
Console.WriteLine($"seen {health.Counters.PredictionsSeen}, evaluations {health.Counters.Evaluations}, alerts {health.Counters.AlertsRaised}, waiting {health.PendingLabels}");
Console.WriteLine($"CPU µs/prediction: best {cpu[0]:0.00}, median {cpu[Rounds / 2]:0.00}; bytes/prediction: best {bytes[0]:0}, median {bytes[Rounds / 2]:0}");

// A checkpoint that replaces the stored waiting predictions (100,000 of them), as each one does under a saturated
// load (the whole set turns over between two): this thread's CPU for exporting and storing it, best of 5.
var monitor = monitors.For(SyntheticModel.Name);
var replacing = new List<double>();
for (var r = 0; r < 5; r++)
{
    monitor.CheckpointLost();
    var t0 = ThreadCpu.Now();
    store.Checkpoint([(SyntheticModel.Name, 1, "sha", monitor.ExportCheckpoint())]);
    replacing.Add((ThreadCpu.Now() - t0) / 1e6);
}
replacing.Sort();
Console.WriteLine($"replacing checkpoint of {health.PendingLabels:N0} waiting: best {replacing[0]:0.0} ms, median {replacing[2]:0.0} ms of CPU ({replacing[0] * 1e3 / health.PendingLabels:0.00} µs per prediction)");
Directory.Delete(dir, true);

static class ThreadCpu
{
    [StructLayout(LayoutKind.Sequential)] private struct Timespec { public long Sec; public long Nsec; }
    [DllImport("libc")] private static extern int clock_gettime(int clock, out Timespec t);
    public static long Now() { clock_gettime(3 /* CLOCK_THREAD_CPUTIME_ID */, out var t); return t.Sec * 1_000_000_000 + t.Nsec; }
}

sealed class NoLog : IEventLog
{
    public Task CreateTopicAsync(string topic, int partitions, CancellationToken cancellationToken = default) => Task.CompletedTask;
    public Task<IReadOnlyList<RecordPosition>> AppendAsync(string topic, IReadOnlyList<OutgoingRecord> records, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<RecordPosition>>([]);
    public Task<IReadOnlyDictionary<int, long>> GetEndOffsetsAsync(string topic, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyDictionary<int, long>>(new Dictionary<int, long>());
    public IEventConsumer Subscribe(ConsumerOptions options) => throw new NotSupportedException();
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
