using Cascade.Interop.Tests.Peers;
using Cascade.Interop.Tests.TestServer;

namespace Cascade.Interop.Tests;

/// <summary>grpc-js (a client we did not write) against a service served the way Cascade serves gRPC (Grpc.AspNetCore + Cascade.Hosting).</summary>
public class GrpcJsClientTests(ScenarioServer server) : IClassFixture<ScenarioServer>
{
    [Fact]
    public async Task Unary_call_succeeds_and_the_server_sees_the_deadline()
    {
        var result = await NodePeer.RunClientAsync(server.Target, "unary");
        result.GetProperty("code").GetInt32().Should().Be(0);
        result.GetProperty("text").GetString().Should().Be("from-node");
        result.GetProperty("deadline").GetString().Should().Be("set");
    }

    [Fact]
    public async Task Server_streaming_delivers_every_message()
    {
        var result = await NodePeer.RunClientAsync(server.Target, "serverStream");
        result.GetProperty("code").GetInt32().Should().Be(0);
        result.GetProperty("texts").EnumerateArray().Select(t => t.GetString()).Should().Equal(Enumerable.Range(0, 20).Select(i => $"s{i}"));
    }

    [Fact]
    public async Task Client_streaming_of_5_MB_arrives_whole()
    {
        var result = await NodePeer.RunClientAsync(server.Target, "clientStream");
        result.GetProperty("code").GetInt32().Should().Be(0);
        result.GetProperty("bytes").GetInt64().Should().Be(50 * 100_000);
        result.GetProperty("messages").GetInt32().Should().Be(50);
    }

    [Fact]
    public async Task Bidi_ping_pong_works()
    {
        var result = await NodePeer.RunClientAsync(server.Target, "bidi");
        result.GetProperty("code").GetInt32().Should().Be(0);
        result.GetProperty("texts").EnumerateArray().Select(t => t.GetString()).Should().Equal("b0", "b1", "b2", "b3", "b4");
    }

    [Fact]
    public async Task Errors_arrive_with_code_details_and_trailers()
    {
        var result = await NodePeer.RunClientAsync(server.Target, "error");
        result.GetProperty("code").GetInt32().Should().Be(3);
        result.GetProperty("details").GetString().Should().Be("requested failure: bad");
        result.GetProperty("metadata").GetProperty("failure-reason").GetString().Should().Be("requested");
    }

    [Fact]
    public async Task Deadline_exceeded_is_status_4()
    {
        var result = await NodePeer.RunClientAsync(server.Target, "deadline");
        result.GetProperty("code").GetInt32().Should().Be(4);
    }

    [Fact]
    public async Task Client_cancellation_is_status_1_and_reaches_the_handler()
    {
        var before = server.Service.CancellationsObserved;
        var result = await NodePeer.RunClientAsync(server.Target, "cancel");
        result.GetProperty("code").GetInt32().Should().Be(1);
        // The handler learns of the reset on its own schedule: wait for it, bounded.
        await Eventually.WaitUntilAsync(() => server.Service.CancellationsObserved != before, "the handler observes the cancellation", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Metadata_travels_both_ways_including_binary()
    {
        var result = await NodePeer.RunClientAsync(server.Target, "metadata");
        result.GetProperty("code").GetInt32().Should().Be(0);
        result.GetProperty("header").GetString().Should().Be("node-value");
        result.GetProperty("headerBin").EnumerateArray().Select(b => b.GetInt32()).Should().Equal(0, 1, 2, 255);
        result.GetProperty("trailer").GetString().Should().Be("node-value");
        result.GetProperty("trailerBin").EnumerateArray().Select(b => b.GetInt32()).Should().Equal(0, 1, 2, 255);
    }

    [Fact]
    public async Task Unknown_method_is_unimplemented()
    {
        var result = await NodePeer.RunClientAsync(server.Target, "unimplemented");
        result.GetProperty("code").GetInt32().Should().Be(12);
    }

    [Fact]
    public async Task Standard_health_check_reports_serving()
    {
        var result = await NodePeer.RunClientAsync(server.Target, "health");
        result.GetProperty("code").GetInt32().Should().Be(0);
        result.GetProperty("status").GetInt32().Should().Be(1, "1 is SERVING in grpc.health.v1");
    }
}
