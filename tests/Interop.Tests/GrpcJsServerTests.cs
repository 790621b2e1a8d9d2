using System.Collections.Concurrent;
using System.Diagnostics;
using Cascade.Interop.Tests.Peers;
using Cascade.Interop.Tests.Protos;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cascade.Interop.Tests;

/// <summary>A grpc-js server (a server we did not write), started once for the class, and a Grpc.Net.Client channel to it.</summary>
public sealed class GrpcJsServer : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _events = new();
    private Process? _process;
    private Task _pump = Task.CompletedTask;

    public GrpcChannel Channel { get; private set; } = null!;

    public TestService.TestServiceClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _process = NodePeer.StartServer();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var line = await _process.StandardOutput.ReadLineAsync(guard.Token);
        if (line is null || !line.StartsWith("PORT ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"node server.js did not start: {line} {await _process.StandardError.ReadToEndAsync()}");
        }
        _pump = PumpEventsAsync(_process);
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{int.Parse(line[5..])}");
        Client = new TestService.TestServiceClient(Channel);
    }

    /// <summary>Completes when the server has printed <paramref name="line"/> (e.g. <c>CANCELLED text</c>), or fails after <paramref name="timeout"/>.</summary>
    public Task WaitForEventAsync(string line, TimeSpan timeout) => Event(line).Task.WaitAsync(timeout);

    private TaskCompletionSource Event(string line) => _events.GetOrAdd(line, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

    private async Task PumpEventsAsync(Process process)
    {
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            Event(line).TrySetResult();
        }
    }

    public async Task DisposeAsync()
    {
        Channel?.Dispose();
        if (_process is { HasExited: false })
        {
            _process.StandardInput.Close();
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        await _pump;
        _process?.Dispose();
    }
}

/// <summary>Grpc.Net.Client with stubs generated from testing.proto (what Cascade's services call each other with) against grpc-js.</summary>
public class GrpcJsServerTests(GrpcJsServer node) : IClassFixture<GrpcJsServer>
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    /// <summary>Every call has a deadline: a hung peer fails the test instead of hanging the run.</summary>
    private static CallOptions Within(TimeSpan timeout) => new(deadline: DateTime.UtcNow + timeout);

    [Fact]
    public async Task Unary_call_succeeds_and_carries_the_deadline()
    {
        var response = await node.Client.UnaryAsync(new TestRequest { Text = "to-node" }, Within(HangGuard));
        response.Text.Should().Be("to-node");
        response.Deadline.Should().Be("set");
    }

    [Fact]
    public async Task Server_streaming_delivers_every_message()
    {
        using var call = node.Client.ServerStream(new TestRequest { Text = "n", Count = 30, ResponseSize = 10_000 }, Within(HangGuard));
        var texts = new List<string>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            texts.Add(message.Text);
        }
        texts.Should().Equal(Enumerable.Range(0, 30).Select(i => $"n{i}"));
        call.GetStatus().StatusCode.Should().Be(StatusCode.OK);
    }

    [Fact]
    public async Task A_server_stream_that_fails_delivers_its_messages_then_the_status_and_trailers()
    {
        using var call = node.Client.ServerStream(new TestRequest { Text = "f", Count = 3, FailCode = (int)StatusCode.ResourceExhausted }, Within(HangGuard));
        var texts = new List<string>();
        var read = async () =>
        {
            await foreach (var message in call.ResponseStream.ReadAllAsync())
            {
                texts.Add(message.Text);
            }
        };
        var error = (await read.Should().ThrowAsync<RpcException>()).Which;
        texts.Should().Equal("f0", "f1", "f2");
        error.StatusCode.Should().Be(StatusCode.ResourceExhausted);
        error.Status.Detail.Should().Be("requested failure: f");
        error.Trailers.GetValue("failure-reason").Should().Be("requested");
    }

    [Fact]
    public async Task Client_streaming_of_8_MB_arrives_whole()
    {
        using var call = node.Client.ClientStream(Within(HangGuard));
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
        using var call = node.Client.Duplex(Within(HangGuard));
        await using var responses = call.ResponseStream.ReadAllAsync().GetAsyncEnumerator();
        for (var i = 0; i < 5; i++)
        {
            await call.RequestStream.WriteAsync(new TestRequest { Text = $"p{i}" });
            (await responses.MoveNextAsync()).Should().BeTrue();
            responses.Current.Text.Should().Be($"p{i}");
            responses.Current.ReceivedMessages.Should().Be(i + 1);
        }
        await call.RequestStream.CompleteAsync();
        (await responses.MoveNextAsync()).Should().BeFalse();
        call.GetStatus().StatusCode.Should().Be(StatusCode.OK);
    }

    [Fact]
    public async Task Errors_arrive_with_code_details_and_trailers()
    {
        var act = async () => await node.Client.UnaryAsync(new TestRequest { Text = "x", FailCode = (int)StatusCode.NotFound }, Within(HangGuard));
        var error = (await act.Should().ThrowAsync<RpcException>()).Which;
        error.StatusCode.Should().Be(StatusCode.NotFound);
        error.Status.Detail.Should().Be("requested failure: x");
        error.Trailers.GetValue("failure-reason").Should().Be("requested");
    }

    [Fact]
    public async Task Our_deadline_ends_a_call_the_server_would_let_run()
    {
        var stopwatch = Stopwatch.StartNew();
        var act = async () => await node.Client.UnaryAsync(new TestRequest { DelayMs = 30_000 }, Within(TimeSpan.FromMilliseconds(300)));
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.DeadlineExceeded);
        stopwatch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20), "the deadline, not the server's 30 s delay, ends the call");
    }

    [Fact]
    public async Task Cancellation_is_status_1_and_reaches_the_grpc_js_handler()
    {
        using var cts = new CancellationTokenSource();
        var text = $"cancel-{Guid.NewGuid():N}";
        using var call = node.Client.UnaryAsync(new TestRequest { Text = text, DelayMs = 30_000 }, new CallOptions(deadline: DateTime.UtcNow + HangGuard, cancellationToken: cts.Token));
        // Cancel a call the grpc-js handler is known to be running, before any response headers: cancelling in the
        // instant after unary headers arrive, Grpc.Net.Client 2.85 can report INTERNAL (ObjectDisposedException) instead.
        await node.WaitForEventAsync($"STARTED {text}", TimeSpan.FromSeconds(20));
        await cts.CancelAsync();
        var act = async () => await call.ResponseAsync;
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Cancelled);
        await node.WaitForEventAsync($"CANCELLED {text}", TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Metadata_travels_both_ways_including_binary()
    {
        var headers = new Metadata { { "echo-text", "dotnet-value" }, { "echo-data-bin", new byte[] { 9, 8, 7, 0, 255 } } };
        using var call = node.Client.UnaryAsync(new TestRequest(), new CallOptions(headers, DateTime.UtcNow + HangGuard));
        await call;
        var responseHeaders = await call.ResponseHeadersAsync;
        responseHeaders.GetValue("echo-text").Should().Be("dotnet-value");
        responseHeaders.GetValueBytes("echo-data-bin").Should().Equal(9, 8, 7, 0, 255);
        call.GetTrailers().GetValue("trailer-echo-text").Should().Be("dotnet-value");
        call.GetTrailers().GetValueBytes("trailer-echo-data-bin").Should().Equal(9, 8, 7, 0, 255);
    }

    [Fact]
    public async Task Unknown_method_is_unimplemented()
    {
        var missing = new Method<TestRequest, TestResponse>(MethodType.Unary, TestService.Descriptor.FullName, "DoesNotExist",
            Marshallers.Create(r => r.ToByteArray(), TestRequest.Parser.ParseFrom), Marshallers.Create(r => r.ToByteArray(), TestResponse.Parser.ParseFrom));
        var act = async () => await node.Channel.CreateCallInvoker().AsyncUnaryCall(missing, null, Within(HangGuard), new TestRequest());
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Unimplemented);
    }
}
