using System.Diagnostics;
using Cascade.Grpc;
using Cascade.Grpc.Client;
using Cascade.Grpc.Tests.Infrastructure;
using Cascade.Grpc.Tests.Protos;
using Cascade.Interop.Tests.Node;
using Google.Protobuf;

namespace Cascade.Interop.Tests;

/// <summary>Starts a grpc-js server (a server we did not write) once for the class.</summary>
public sealed class GrpcJsServer : IAsyncLifetime
{
    private Process? _process;

    public GrpcChannel Channel { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var (process, port) = await NodePeer.StartServerAsync();
        _process = process;
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
    }

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        if (_process is { HasExited: false })
        {
            _process.StandardInput.Close();
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
    }
}

/// <summary>Cascade's gRPC client against grpc-js.</summary>
public class GrpcJsServerTests(GrpcJsServer node) : IClassFixture<GrpcJsServer>
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Unary_call_succeeds_and_carries_the_deadline()
    {
        var response = await node.Channel.UnaryAsync(TestMethods.Unary, new TestRequest { Text = "to-node" }, CallOptions.WithTimeout(HangGuard));
        response.Text.Should().Be("to-node");
        response.Deadline.Should().Be("set");
    }

    [Fact]
    public async Task Server_streaming_delivers_every_message()
    {
        using var call = node.Channel.ServerStreaming(TestMethods.ServerStream, new TestRequest { Text = "n", Count = 30, ResponseSize = 10_000 }, CallOptions.WithTimeout(HangGuard));
        var texts = new List<string>();
        await foreach (var message in call.ReadAllAsync())
        {
            texts.Add(message.Text);
        }
        texts.Should().Equal(Enumerable.Range(0, 30).Select(i => $"n{i}"));
    }

    [Fact]
    public async Task Client_streaming_of_8_MB_arrives_whole()
    {
        using var call = node.Channel.ClientStreaming(TestMethods.ClientStream, CallOptions.WithTimeout(HangGuard));
        var chunk = ByteString.CopyFrom(new byte[1024 * 1024]);
        for (var i = 0; i < 8; i++)
        {
            await call.RequestStream.WriteAsync(new TestRequest { Payload = chunk });
        }
        await call.RequestStream.CompleteAsync();
        var response = await call.ResponseAsync;
        response.ReceivedBytes.Should().Be(8L * 1024 * 1024);
        response.ReceivedMessages.Should().Be(8);
    }

    [Fact]
    public async Task Bidi_ping_pong_works()
    {
        using var call = node.Channel.DuplexStreaming(TestMethods.Duplex, CallOptions.WithTimeout(HangGuard));
        await using var responses = call.ReadAllAsync().GetAsyncEnumerator();
        for (var i = 0; i < 5; i++)
        {
            await call.RequestStream.WriteAsync(new TestRequest { Text = $"p{i}" });
            (await responses.MoveNextAsync()).Should().BeTrue();
            responses.Current.Text.Should().Be($"p{i}");
        }
        await call.RequestStream.CompleteAsync();
        (await responses.MoveNextAsync()).Should().BeFalse();
        call.GetStatus().StatusCode.Should().Be(StatusCode.OK);
    }

    [Fact]
    public async Task Errors_arrive_with_code_details_and_trailers()
    {
        var act = async () => await node.Channel.UnaryAsync(TestMethods.Unary, new TestRequest { Text = "x", FailCode = (int)StatusCode.NotFound }, CallOptions.WithTimeout(HangGuard));
        var error = (await act.Should().ThrowAsync<RpcException>()).Which;
        error.StatusCode.Should().Be(StatusCode.NotFound);
        error.Status.Detail.Should().Be("requested failure: x");
        error.Trailers.GetValue("failure-reason").Should().Be("requested");
    }

    [Fact]
    public async Task Our_deadline_ends_a_call_grpc_js_would_let_run()
    {
        var act = async () => await node.Channel.UnaryAsync(TestMethods.Unary, new TestRequest { DelayMs = 30_000 }, CallOptions.WithTimeout(TimeSpan.FromMilliseconds(300)));
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.DeadlineExceeded);
    }

    [Fact]
    public async Task Cancellation_is_status_1()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var act = async () => await node.Channel.UnaryAsync(TestMethods.Unary, new TestRequest { DelayMs = 30_000 }, new CallOptions(CancellationToken: cts.Token));
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Cancelled);
    }

    [Fact]
    public async Task Metadata_travels_both_ways_including_binary()
    {
        var headers = new Metadata().Add("echo-text", "dotnet-value").Add("echo-data-bin", new byte[] { 9, 8, 7, 0, 255 });
        using var call = node.Channel.UnaryAsync(TestMethods.Unary, new TestRequest(), new CallOptions(headers, DateTime.UtcNow + HangGuard));
        await call;
        (await call.ResponseHeadersAsync).GetValue("echo-text").Should().Be("dotnet-value");
        (await call.ResponseHeadersAsync).GetBytes("echo-data-bin").Should().Equal(9, 8, 7, 0, 255);
        call.GetTrailers().GetValue("trailer-echo-text").Should().Be("dotnet-value");
        call.GetTrailers().GetBytes("trailer-echo-data-bin").Should().Equal(9, 8, 7, 0, 255);
    }

    [Fact]
    public async Task Unknown_method_is_unimplemented()
    {
        var act = async () => await node.Channel.UnaryAsync(TestMethods.Missing, new TestRequest(), CallOptions.WithTimeout(HangGuard));
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Unimplemented);
    }
}
