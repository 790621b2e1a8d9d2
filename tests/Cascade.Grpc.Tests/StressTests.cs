using Cascade.Grpc.Client;
using Cascade.Grpc.Tests.Infrastructure;
using Cascade.Grpc.Tests.Protos;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Cascade.Grpc.Tests;

/// <summary>
/// Random deadlines, cancellations and abandoned streams of every kind, bounded in time, with a watchdog
/// that fails the test instead of hanging. Afterwards a normal call must work and no handler may have failed.
/// </summary>
public class StressTests(GrpcTestServer server, ITestOutputHelper output) : IClassFixture<GrpcTestServer>
{
    [Fact]
    public async Task Random_deadlines_cancels_and_abandoned_streams_leave_the_server_healthy()
    {
        var stopAt = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var unexpected = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var workers = Enumerable.Range(0, 16).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            while (DateTime.UtcNow < stopAt)
            {
                try
                {
                    var code = await RandomCall(random);
                    outcomes.AddOrUpdate(code.ToString(), 1, (_, n) => n + 1);
                }
                catch (Exception ex)
                {
                    unexpected.Enqueue(ex);
                }
            }
        })).ToArray();

        var all = Task.WhenAll(workers);
        var finished = await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(60)));
        finished.Should().BeSameAs(all, "the watchdog expired: some call hung");

        output.WriteLine(string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key}={o.Value}")));
        unexpected.Should().BeEmpty();
        server.LoggedErrors.Errors.Should().BeEmpty();
        var response = await server.Channel.UnaryAsync(TestMethods.Unary, new TestRequest { Text = "after" }, CallOptions.WithTimeout(TimeSpan.FromSeconds(30)));
        response.Text.Should().Be("after");
    }

    private async Task<StatusCode> RandomCall(Random random)
    {
        var channel = server.Channel;
        var deadline = random.Next(4) == 0 ? CallOptions.WithTimeout(TimeSpan.FromMilliseconds(random.Next(1, 100))) : CallOptions.WithTimeout(TimeSpan.FromSeconds(30));
        using var cts = new CancellationTokenSource();
        if (random.Next(4) == 0)
        {
            cts.CancelAfter(random.Next(1, 50));
        }
        var options = deadline with { CancellationToken = cts.Token };
        var allowed = new[] { StatusCode.OK, StatusCode.Cancelled, StatusCode.DeadlineExceeded, StatusCode.Unavailable };
        try
        {
            switch (random.Next(5))
            {
                case 4:
                {
                    // A handler that ignores its token and finishes at a random moment around its deadline:
                    // the server's own DEADLINE_EXCEEDED races the late response.
                    var (key, probe) = server.Service.Probes.Create();
                    var release = Task.Delay(random.Next(0, 60)).ContinueWith(_ => probe.Release.TrySetResult(), TaskScheduler.Default);
                    try
                    {
                        if (random.Next(2) == 0)
                        {
                            await channel.UnaryAsync(TestMethods.Unary, new TestRequest { Probe = key, IgnoreCancellation = true }, options);
                        }
                        else
                        {
                            using var call = channel.ServerStreaming(TestMethods.ServerStream, new TestRequest { Probe = key, IgnoreCancellation = true, Count = random.Next(0, 3) }, options);
                            await foreach (var _ in call.ReadAllAsync()) { }
                        }
                    }
                    finally
                    {
                        await release;
                    }
                    break;
                }
                case 0:
                    await channel.UnaryAsync(TestMethods.Unary, new TestRequest { DelayMs = random.Next(0, 30) }, options);
                    break;
                case 1:
                {
                    using var call = channel.ServerStreaming(TestMethods.ServerStream, new TestRequest { Count = random.Next(1, 20), DelayMs = random.Next(0, 5) }, options);
                    var abandonAfter = random.Next(0, 10);
                    var read = 0;
                    await foreach (var _ in call.ReadAllAsync())
                    {
                        if (++read == abandonAfter) break; // abandoned stream: disposal resets it
                    }
                    break;
                }
                case 2:
                {
                    using var call = channel.ClientStreaming(TestMethods.ClientStream, options);
                    var count = random.Next(0, 10);
                    for (var i = 0; i < count; i++)
                    {
                        await call.RequestStream.WriteAsync(new TestRequest { Payload = ByteString.CopyFrom(new byte[random.Next(0, 5000)]) });
                    }
                    if (random.Next(3) == 0) break; // abandoned without completing
                    await call.RequestStream.CompleteAsync();
                    await call.ResponseAsync;
                    break;
                }
                default:
                {
                    using var call = channel.DuplexStreaming(TestMethods.Duplex, options);
                    var count = random.Next(0, 5);
                    for (var i = 0; i < count; i++)
                    {
                        await call.RequestStream.WriteAsync(new TestRequest { Text = "x" });
                    }
                    if (random.Next(3) == 0) break;
                    await call.RequestStream.CompleteAsync();
                    await foreach (var _ in call.ReadAllAsync()) { }
                    break;
                }
            }
            return StatusCode.OK;
        }
        catch (RpcException ex) when (allowed.Contains(ex.StatusCode))
        {
            return ex.StatusCode;
        }
    }
}
