using System.Diagnostics;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Embedded;

namespace Cascade.Bench.EventLog;

/// <summary>
/// What one caller's huge append costs the others (the fuzz campaign's finding): while one append of many records
/// is written to one topic, another caller appends one record at a time to another topic, back to back, and the
/// latency of those small appends is taken. Public API only, so it runs against an older log as well.
/// </summary>
internal static class FairnessRun
{
    /// <summary>The large append's duration and the small appends' latencies while it ran (ms).</summary>
    public sealed record Result(int LargeRecords, double LargeMilliseconds, int SmallAppends, double SmallMedianMilliseconds, double SmallP99Milliseconds, double SmallMaxMilliseconds);

    public static async Task<Result> RunAsync(OutgoingRecord[] payloads, int largeRecords)
    {
        var directory = Directory.CreateTempSubdirectory("cascade-eventlog-fairness-").FullName;
        try
        {
            await using var log = new SqliteEventLog(new EmbeddedEventLogOptions { Path = Path.Combine(directory, "events.db"), DefaultPartitions = 4 });
            await log.AppendAsync("flood", payloads[..10]);
            await log.AppendAsync("other", payloads[..10]);
            var large = Enumerable.Range(0, largeRecords).Select(i => payloads[i % payloads.Length]).ToArray();
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var clock = Stopwatch.StartNew();
            // On its own thread: the older log writes a whole append inside the call.
            var flood = Task.Run(async () =>
            {
                started.SetResult();
                await log.AppendAsync("flood", large);
                return clock.Elapsed.TotalMilliseconds;
            });
            await started.Task;
            var latencies = new List<double>();
            while (!flood.IsCompleted)
            {
                var small = Stopwatch.StartNew();
                await log.AppendAsync("other", [payloads[latencies.Count % payloads.Length]]);
                latencies.Add(small.Elapsed.TotalMilliseconds);
            }
            var largeMilliseconds = await flood;
            latencies.Sort();
            return latencies.Count == 0
                ? new Result(largeRecords, largeMilliseconds, 0, double.NaN, double.NaN, double.NaN)
                : new Result(largeRecords, largeMilliseconds, latencies.Count, latencies[latencies.Count / 2], latencies[(int)(latencies.Count * 0.99)], latencies[^1]);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
