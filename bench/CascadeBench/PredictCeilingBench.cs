using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Cascade.Cli.Demo;
using Cascade.Contracts;
using Cascade.Contracts.Events;
using Cascade.Contracts.Serving.V1;
using Google.Protobuf;
using Grpc.Health.V1;

namespace Cascade.Bench;

/// <summary>
/// Predict against the echo ceiling of the same server: the all-in-one host with the demo model served, loaded by
/// h2load (gRPC: 8 connections × 32 streams) with <c>grpc.health.v1.Health/Check</c> (a gRPC call that does no
/// work), <c>cascade.serving.v1.Serving/Predict</c> (one row of the demo model's features inline) and, over HTTP/1.1,
/// <c>GET /healthz</c> and the Open Inference Protocol's <c>POST /v2/models/{model}/infer</c>; then Check and Predict
/// at a fixed 5,000 requests/s, where what differs is the CPU a request costs the host. Every prediction must
/// reach the predictions topic: after each run the bench waits until the log holds one record per request sent, and
/// fails if one is missing (which also catches requests h2load counts as HTTP 200 but that failed with a gRPC status).
/// </summary>
internal static class PredictCeilingBench
{
    private const int GrpcConnections = 8;
    private const int GrpcStreams = 32;
    private const int Http1Connections = 256; // the same 256 requests in flight, one per connection (no pipelining)
    private const int PacedRate = 5_000;

    public static async Task<IReadOnlyList<string>> RunAsync(IPredictServer host, int requests, int rounds, int? profile = null)
    {
        var row = await host.PrepareChampionAsync();
        var work = Directory.CreateTempSubdirectory("cascade-bench-predict-");
        try
        {
            var predictRequest = new PredictRequest { Model = DemoDataset.Model, RequestId = "bench", Features = new FeatureVector { Values = { row } } };
            var checkBody = await WriteGrpcBodyAsync(work.FullName, "check.bin", new HealthCheckRequest());
            var predictBody = await WriteGrpcBodyAsync(work.FullName, "predict.bin", predictRequest);
            var inferBody = Path.Combine(work.FullName, "infer.json");
            await File.WriteAllTextAsync(inferBody, InferJson(row));

            // Correct answers before load: h2load counts HTTP status only, and a failed gRPC call is HTTP 200 too.
            var log = await LoggedPredictions.StartAsync(host);
            var expected = await new Contracts.Serving.V1.Serving.ServingClient(host.Channels.Serving).PredictAsync(predictRequest, GrpcCalls.Within(TimeSpan.FromSeconds(10)));
            var health = await new Health.HealthClient(host.Channels.Serving).CheckAsync(new HealthCheckRequest());
            if (health.Status != HealthCheckResponse.Types.ServingStatus.Serving) throw new InvalidOperationException($"The host is {health.Status}.");
            var rest = await ProbeRestAsync(host, inferBody, expected.Outputs[0]);
            await log.ExpectAsync(rest.Served ? 2 : 1);

            var targets = new List<Target>
            {
                new("gRPC `Health/Check` (echo ceiling)", $"{host.GrpcAddress}/grpc.health.v1.Health/Check", checkBody, GrpcHeaders, GrpcConnections, GrpcStreams, Http1: false, Logs: false),
                new("gRPC `Serving/Predict`, 1 row inline", $"{host.GrpcAddress}/cascade.serving.v1.Serving/Predict", predictBody, GrpcHeaders, GrpcConnections, GrpcStreams, Http1: false, Logs: true),
                new("HTTP/1.1 `GET /healthz` (REST ceiling)", $"{host.HttpAddress}/healthz", null, [], Http1Connections, 1, Http1: true, Logs: false),
            };
            if (rest.Served)
            {
                targets.Add(new("HTTP/1.1 `POST /v2/models/{model}/infer` (OIP REST)", $"{host.HttpAddress}/v2/models/{DemoDataset.Model}/infer", inferBody, ["content-type: application/json"], Http1Connections, 1, Http1: true, Logs: true));
            }

            // At a fixed 5,000 requests/s (the demo's load) throughput says nothing; the CPU a request costs does.
            var paced = new List<Target>
            {
                targets[0] with { Name = "gRPC `Health/Check`", Streams = 1, Rate = PacedRate / GrpcConnections },
                targets[1] with { Name = "gRPC `Serving/Predict`, 1 row inline", Streams = 1, Rate = PacedRate / GrpcConnections },
            };
            var pacedRequests = Math.Max(requests / 5, 10_000); // 8 s at 5,000/s in the full run, 2 s in --quick

            foreach (var target in targets)
            {
                await MeasureAsync(host, target, requests / 10, log); // warm-up: JIT, connection setup, tiered compilation
            }
            if (profile is { } seconds)
            {
                // Saturated Predict alone, long enough to attach a profiler; the marker lines say when and to which process
                // (bench/CascadeBench/profile/profile-predict.sh). PROFILE_TARGET picks another: 0 Check, 4 and 5 Check and
                // Predict paced at 5,000/s.
                var target = targets.Concat(paced).ElementAt(int.Parse(Environment.GetEnvironmentVariable("PROFILE_TARGET") ?? "1"));
                var perSecond = target.Rate is null ? 50_000 : PacedRate;
                await MeasureAsync(host, target, 6 * perSecond, log); // past tiered compilation's second tier
                Console.WriteLine($"PROFILE START pid {Environment.ProcessId}");
                var alone = await MeasureAsync(host, target, seconds * perSecond, log);
                Console.WriteLine($"PROFILE END {alone.RequestsPerSecond:N0} req/s, {alone.CpuMicrosPerRequest:F1} µs CPU and {alone.BytesPerRequest:N0} B per request ({target.Name})");
                return [];
            }
            var runs = targets.Concat(paced).ToDictionary(t => t, _ => new List<Measured>());
            for (var round = 0; round < rounds; round++)
            {
                // Alternate so drift in the machine's load hits every target alike.
                foreach (var target in targets)
                {
                    runs[target].Add(await MeasureAsync(host, target, requests, log));
                }
                foreach (var target in paced)
                {
                    runs[target].Add(await MeasureAsync(host, target, pacedRequests, log));
                }
            }

            var check = Median(runs[targets[0]]);
            var healthz = Median(runs[targets[2]]);
            var lines = new List<string>
            {
                $"Server: {host.Description}.",
                string.Empty,
                $"Saturated: as many requests as the host answers, 256 in flight; median and range over {rounds} alternating rounds of {requests:N0} requests.",
                string.Empty,
                "| measure | req/s (median; range) | mean latency (ms) | server CPU / request (µs) | allocated / request (B) | ratio |",
                "|---|---:|---:|---:|---:|---:|",
            };
            foreach (var target in targets)
            {
                var median = Median(runs[target]);
                var ratio = target == targets[0] ? "baseline"
                    : target == targets[2] ? $"{median.RequestsPerSecond / check.RequestsPerSecond:F2}× Check"
                    : target.Http1 ? $"**{median.RequestsPerSecond / check.RequestsPerSecond:F2}× Check**, {median.RequestsPerSecond / healthz.RequestsPerSecond:F2}× /healthz"
                    : $"**{median.RequestsPerSecond / check.RequestsPerSecond:F2}× Check**";
                lines.Add($"| {target.Name}, {target.Connections} conn × {target.Streams} | {median.RequestsPerSecond:N0} ({runs[target].Min(r => r.RequestsPerSecond):N0}–{runs[target].Max(r => r.RequestsPerSecond):N0}) | {median.MeanLatencyMs:F2} | {median.CpuMicrosPerRequest:F1} | {Bytes(median)} | {ratio} |");
            }
            if (!rest.Served)
            {
                lines.Add($"| HTTP/1.1 `POST /v2/models/{{model}}/infer` (OIP REST) | not measured: {rest.Why} | | | | |");
            }
            var perRound = string.Join("; ", Enumerable.Range(0, rounds).Select(r => $"{runs[targets[1]][r].RequestsPerSecond / runs[targets[0]][r].RequestsPerSecond:F2}×"));
            lines.Add(string.Empty);
            lines.Add($"Predict/Check over gRPC per round: {perRound}.");
            lines.Add(string.Empty);
            lines.Add($"Paced: {PacedRate:N0} requests/s ({GrpcConnections} connections × 1 stream, h2load --rps {PacedRate / GrpcConnections}); median and range of server CPU per request over {rounds} rounds of {pacedRequests:N0} requests.");
            lines.Add(string.Empty);
            lines.Add("| measure | req/s | server CPU / request (µs) | allocated / request (B) |");
            lines.Add("|---|---:|---:|---:|");
            foreach (var target in paced)
            {
                var median = Median(runs[target], r => r.CpuMicrosPerRequest);
                lines.Add($"| {target.Name}, {PacedRate:N0}/s | {median.RequestsPerSecond:N0} | {median.CpuMicrosPerRequest:F1} ({runs[target].Min(r => r.CpuMicrosPerRequest):F1}–{runs[target].Max(r => r.CpuMicrosPerRequest):F1}) | {Bytes(median)} |");
            }
            lines.Add(string.Empty);
            lines.Add($"h2load -t 1 on the same {Environment.ProcessorCount} cores as the host. Logged predictions: {log.Logged:N0} of {log.Expected:N0} Predict and infer requests sent, checked on the topic after every run (dropped by the log: {host.Dropped()?.ToString("N0") ?? "not readable from another process; the count on the topic is the check"}); the log held a run's last prediction {runs.Where(r => r.Key.Logs).SelectMany(r => r.Value).Max(m => m.LogCatchUpMs):F0} ms after the run at most.");
            lines.Add("Server CPU and allocations: the serving process's (h2load is another process; allocations only where it is this one), from a run's start until the work it set going in the background (the log, and Monitoring reading it where it runs in the same process) is done, divided by its requests.");
            return lines;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static readonly string[] GrpcHeaders = ["content-type: application/grpc", "te: trailers"];

    private static async Task<Measured> MeasureAsync(IPredictServer host, Target target, int requests, LoggedPredictions log)
    {
        await SettleAsync(host); // the previous run's background work (the log writer, Monitoring) is not this run's
        var cpuBefore = host.ProcessorTime();
        var bytesBefore = host.AllocatedBytes();
        var result = await H2Load.RunAsync(target.Url, target.BodyFile, target.Headers, requests, target.Connections, target.Streams, target.Http1, target.Rate);
        if (result.Succeeded != result.Total)
        {
            throw new InvalidOperationException($"{target.Name}: {result.Total - result.Succeeded} of {result.Total} requests failed.");
        }
        var catchUp = Stopwatch.StartNew();
        if (target.Logs)
        {
            await log.ExpectAsync(result.Total);
        }
        var catchUpMs = catchUp.Elapsed.TotalMilliseconds;
        // What the requests set going in the background (appending the log, Monitoring reading it) is their cost too.
        await SettleAsync(host);
        var cpu = (host.ProcessorTime() - cpuBefore).TotalMicroseconds / requests;
        var bytes = host.AllocatedBytes() is { } after && bytesBefore is { } before ? (double)(after - before) / requests : double.NaN;
        return new Measured(result.RequestsPerSecond, result.MeanLatencyMs, cpu, bytes, catchUpMs);
    }

    /// <summary>Waits (10 s at most) until the serving process uses under 5% of a core over 200 ms: its background work is done.</summary>
    private static async Task SettleAsync(IPredictServer host)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            var before = host.ProcessorTime();
            await Task.Delay(200);
            if (host.ProcessorTime() - before < TimeSpan.FromMilliseconds(10)) return;
        }
    }

    /// <summary>
    /// The Open Inference Protocol's REST binding (<c>POST /v2/models/{model}/infer</c> on the HTTP port). Measured
    /// when the host serves it and answers like Predict; otherwise the table says why it was left out.
    /// </summary>
    private static async Task<(bool Served, string Why)> ProbeRestAsync(IPredictServer host, string bodyFile, float expected)
    {
        using var http = new HttpClient { BaseAddress = new Uri(host.HttpAddress) };
        using var content = new StringContent(await File.ReadAllTextAsync(bodyFile), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync($"/v2/models/{DemoDataset.Model}/infer", content);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            return (false, $"the host answers {(int)response.StatusCode} (REST binding not served yet)");
        }
        using var json = JsonDocument.Parse(body);
        var output = json.RootElement.GetProperty("outputs")[0].GetProperty("data")[0].GetSingle();
        return output == expected ? (true, string.Empty) : (false, $"REST answered {output}, Predict {expected}");
    }

    private static string InferJson(float[] row) => JsonSerializer.Serialize(new
    {
        id = "bench",
        inputs = new[] { new { name = "input", shape = new[] { 1, row.Length }, datatype = "FP32", data = row } },
    });

    private static async Task<string> WriteGrpcBodyAsync(string directory, string name, IMessage message)
    {
        var size = message.CalculateSize();
        var frame = new byte[5 + size];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)size);
        message.WriteTo(frame.AsSpan(5));
        var path = Path.Combine(directory, name);
        await File.WriteAllBytesAsync(path, frame);
        return path;
    }

    private static string Bytes(Measured measured) => double.IsNaN(measured.BytesPerRequest) ? "–" : measured.BytesPerRequest.ToString("N0");

    private static Measured Median(List<Measured> runs, Func<Measured, double>? by = null) => runs.OrderBy(by ?? (r => r.RequestsPerSecond)).ElementAt(runs.Count / 2);

    private sealed record Target(string Name, string Url, string? BodyFile, IReadOnlyList<string> Headers, int Connections, int Streams, bool Http1, bool Logs, int? Rate = null);

    private sealed record Measured(double RequestsPerSecond, double MeanLatencyMs, double CpuMicrosPerRequest, double BytesPerRequest, double LogCatchUpMs);

    /// <summary>Counts predictions on the predictions topic (its end offsets) against the requests sent since it started.</summary>
    private sealed class LoggedPredictions
    {
        private readonly IPredictServer _host;
        private readonly long _before;

        private LoggedPredictions(IPredictServer host, long before) => (_host, _before) = (host, before);

        public static async Task<LoggedPredictions> StartAsync(IPredictServer host) => new(host, await host.LoggedPredictionsAsync());

        public long Expected { get; private set; }

        public long Logged { get; private set; }

        /// <summary>Waits until the topic holds <paramref name="more"/> more predictions; throws if they do not all arrive in 60 s.</summary>
        public async Task ExpectAsync(long more)
        {
            Expected += more;
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                Logged = await _host.LoggedPredictionsAsync() - _before;
                if (Logged >= Expected) break;
                if (deadline.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new InvalidOperationException($"Only {Logged:N0} of {Expected:N0} predictions reached {Topics.PredictionsLogged} within 60 s.");
                }
                await Task.Delay(5);
            }
            if (Logged > Expected) throw new InvalidOperationException($"{Logged:N0} predictions logged for {Expected:N0} requests.");
        }
    }
}
