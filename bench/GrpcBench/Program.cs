using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Cascade.Bench;
using Cascade.Hosting.Grpc;
using Grpc.Net.Client;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// Unary echo: Grpc.AspNetCore as Cascade hosts it (HTTP/2 only) against plain Kestrel HTTP/1.1 JSON doing the same
// work, in one run, on one machine. Loads: h2load (nghttp2) for both, then Grpc.Net.Client against HttpClient.
// Usage: dotnet run -c Release --project bench/GrpcBench [-- --quick]
var quick = args.Contains("--quick");
var requests = quick ? 20_000 : 200_000;
var rounds = quick ? 1 : 3;

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k =>
{
    k.ListenGrpc(IPAddress.Loopback, 0);
    k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1);
});
// What every Cascade service runs on: Cascade.Hosting's Grpc.AspNetCore setup (limits, health, reflection, JSON
// transcoding) with the echo registered like any service.
builder.Services.AddCascadeGrpc();
builder.Services.AddGrpcService<EchoService>();
await using var app = builder.Build();
app.UseRouting();
app.MapCascadeGrpc();
app.MapPost("/echo", (JsonEchoRequest request) => { var reply = EchoService.Answer(request.Id, request.Features); return new JsonEchoReply(reply.Id, reply.Sum); });
await app.StartAsync();
var ports = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a).Port).ToArray();
var grpcUrl = $"http://127.0.0.1:{ports[0]}";
var httpUrl = $"http://127.0.0.1:{ports[1]}";

var features = Enumerable.Range(0, 20).Select(i => i * 0.25f).ToArray();
var request = new EchoRequest { Id = "req-0001" };
request.Features.Add(features);
var work = Directory.CreateTempSubdirectory("cascade-bench-");
var grpcBody = Path.Combine(work.FullName, "grpc.bin");
var jsonBody = Path.Combine(work.FullName, "json.bin");
var frame = new byte[5 + request.CalculateSize()];
System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)request.CalculateSize());
request.WriteTo(frame.AsSpan(5));
await File.WriteAllBytesAsync(grpcBody, frame);
await File.WriteAllTextAsync(jsonBody, System.Text.Json.JsonSerializer.Serialize(new JsonEchoRequest("req-0001", features), new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)));

// Sanity: both endpoints answer correctly before they are loaded.
using var channel = GrpcChannel.ForAddress(grpcUrl);
var client = new Echo.EchoClient(channel);
var check = await client.UnaryAsync(request);
using var http = new HttpClient { BaseAddress = new Uri(httpUrl) };
var jsonCheck = await (await http.PostAsJsonAsync("/echo", new JsonEchoRequest("req-0001", features))).Content.ReadFromJsonAsync<JsonEchoReply>();
if (check.Sum != jsonCheck!.Sum) throw new InvalidOperationException("the endpoints disagree");

Console.WriteLine($"Grpc.AspNetCore (Cascade.Hosting) vs plain Kestrel HTTP/1.1 JSON — unary echo of a 20-float request, {Environment.ProcessorCount} cores, server and load generator on the same machine");
Console.WriteLine();

// 1. h2load: same concurrency for both (256 requests in flight): gRPC 8 connections × 32 streams, HTTP/1.1 256 connections.
var grpcHeaders = new[] { "content-type: application/grpc", "te: trailers" };
var jsonHeaders = new[] { "content-type: application/json" };
await H2Load.RunAsync($"{grpcUrl}/cascade.bench.v1.Echo/Unary", grpcBody, grpcHeaders, requests / 10, 8, 32, http1: false); // warm-up
await H2Load.RunAsync($"{httpUrl}/echo", jsonBody, jsonHeaders, requests / 10, 256, 1, http1: true);
var grpcRuns = new List<LoadResult>();
var jsonRuns = new List<LoadResult>();
for (var round = 0; round < rounds; round++)
{
    // Alternate so drift in machine load hits both sides alike.
    grpcRuns.Add(await H2Load.RunAsync($"{grpcUrl}/cascade.bench.v1.Echo/Unary", grpcBody, grpcHeaders, requests, 8, 32, http1: false));
    jsonRuns.Add(await H2Load.RunAsync($"{httpUrl}/echo", jsonBody, jsonHeaders, requests, 256, 1, http1: true));
}
var grpcH2 = Median(grpcRuns);
var jsonH2 = Median(jsonRuns);

// 2. The clients Cascade uses (Grpc.Net.Client, HttpClient): sequential latency, then 64 concurrent callers.
var latencyCalls = quick ? 2_000 : 10_000;
var grpcLatency = await Latencies(latencyCalls, async () => await client.UnaryAsync(request));
var jsonLatency = await Latencies(latencyCalls, async () => await (await http.PostAsJsonAsync("/echo", new JsonEchoRequest("req-0001", features))).Content.ReadFromJsonAsync<JsonEchoReply>());
var duration = TimeSpan.FromSeconds(quick ? 2 : 5);
var grpcClientRate = await Throughput(64, duration, async () => await client.UnaryAsync(request));
using var pooled = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(httpUrl) };
var jsonClientRate = await Throughput(64, duration, async () => await (await pooled.PostAsJsonAsync("/echo", new JsonEchoRequest("req-0001", features))).Content.ReadFromJsonAsync<JsonEchoReply>());

Console.WriteLine("| measure | Grpc.AspNetCore (HTTP/2) | Kestrel JSON (HTTP/1.1) | ratio gRPC/JSON |");
Console.WriteLine("|---|---:|---:|---:|");
Row("h2load throughput, 256 in flight (req/s)", grpcH2.RequestsPerSecond, jsonH2.RequestsPerSecond, "F0");
Row("h2load mean latency (ms)", grpcH2.MeanLatencyMs, jsonH2.MeanLatencyMs, "F2");
Row("Grpc.Net.Client / HttpClient, sequential p50 (µs)", grpcLatency.P50, jsonLatency.P50, "F0");
Row("Grpc.Net.Client / HttpClient, sequential p99 (µs)", grpcLatency.P99, jsonLatency.P99, "F0");
Row("Grpc.Net.Client / HttpClient, 64 concurrent (req/s)", grpcClientRate, jsonClientRate, "F0");
Console.WriteLine();
Console.WriteLine($"h2load: {requests:N0} requests per run, median of {rounds} alternating runs; failed gRPC requests: {grpcRuns.Sum(r => r.Total - r.Succeeded)}, JSON: {jsonRuns.Sum(r => r.Total - r.Succeeded)}");
work.Delete(recursive: true);
await app.StopAsync();
return 0;

static void Row(string name, double grpc, double json, string format) =>
    Console.WriteLine($"| {name} | {grpc.ToString(format, CultureInfo.InvariantCulture)} | {json.ToString(format, CultureInfo.InvariantCulture)} | {(grpc / json).ToString("F2", CultureInfo.InvariantCulture)}× |");

static LoadResult Median(List<LoadResult> runs) => runs.OrderBy(r => r.RequestsPerSecond).ElementAt(runs.Count / 2);

static async Task<(double P50, double P99)> Latencies(int calls, Func<Task> call)
{
    for (var i = 0; i < 500; i++) await call();
    var samples = new double[calls];
    for (var i = 0; i < calls; i++)
    {
        var start = Stopwatch.GetTimestamp();
        await call();
        samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }
    Array.Sort(samples);
    return (samples[calls / 2], samples[(int)(calls * 0.99)]);
}

static async Task<double> Throughput(int callers, TimeSpan duration, Func<Task> call)
{
    for (var i = 0; i < 500; i++) await call();
    long completed = 0;
    var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
    var stopwatch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
    {
        while (Stopwatch.GetTimestamp() < stopAt)
        {
            await call();
            Interlocked.Increment(ref completed);
        }
    })));
    return completed / stopwatch.Elapsed.TotalSeconds;
}
