using Cascade.Grpc.Client;
using Cascade.Grpc.Tests.Infrastructure;
using Cascade.Grpc.Tests.Protos;

namespace Cascade.Grpc.Tests;

/// <summary>Cancellation both ways: the client gives up (the handler must notice), or the server does (the client must not hang).</summary>
public class CancellationTests(GrpcTestServer server) : IClassFixture<GrpcTestServer>
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private GrpcChannel Channel => server.Channel;

    [Fact]
    public async Task Client_cancellation_ends_the_call_cancelled_and_fires_the_handler_token()
    {
        var (key, probe) = server.Service.Probes.Create();
        using var cts = new CancellationTokenSource();
        using var call = Channel.UnaryAsync(TestMethods.Unary, new TestRequest { Probe = key, DelayMs = 60_000 }, new CallOptions(CancellationToken: cts.Token));
        await probe.Started.Task.WaitAsync(HangGuard);

        cts.Cancel();

        var act = async () => await call.ResponseAsync.WaitAsync(HangGuard);
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Cancelled);
        await probe.TokenFired.Task.WaitAsync(HangGuard);
    }

    [Fact]
    public async Task Cancelling_a_stream_read_cancels_the_call_and_reports_cancelled()
    {
        var (key, probe) = server.Service.Probes.Create();
        using var call = Channel.ServerStreaming(TestMethods.ServerStream, new TestRequest { Probe = key, Count = 1000, DelayMs = 50 });
        using var cts = new CancellationTokenSource();
        var received = 0;
        var act = async () =>
        {
            await foreach (var _ in call.ReadAllAsync(cts.Token))
            {
                if (++received == 2)
                {
                    cts.Cancel();
                }
            }
        };
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Cancelled);
        call.GetStatus().StatusCode.Should().Be(StatusCode.Cancelled);
        await probe.TokenFired.Task.WaitAsync(HangGuard);
    }

    [Fact]
    public async Task Disposing_a_running_stream_cancels_the_handler()
    {
        var (key, probe) = server.Service.Probes.Create();
        var call = Channel.ServerStreaming(TestMethods.ServerStream, new TestRequest { Probe = key, Count = 1000, DelayMs = 50 });
        await using (var enumerator = call.ReadAllAsync().GetAsyncEnumerator())
        {
            (await enumerator.MoveNextAsync()).Should().BeTrue();
        }
        call.Dispose();
        await probe.TokenFired.Task.WaitAsync(HangGuard);
        call.GetStatus().StatusCode.Should().Be(StatusCode.Cancelled);
    }

    [Fact]
    public async Task Cancelling_a_bidi_call_while_it_waits_for_requests_fires_the_handler_token()
    {
        var (key, probe) = server.Service.Probes.Create();
        using var cts = new CancellationTokenSource();
        using var call = Channel.DuplexStreaming(TestMethods.Duplex, new CallOptions(CancellationToken: cts.Token));
        await call.RequestStream.WriteAsync(new TestRequest { Probe = key, Text = "first" });
        await using var responses = call.ReadAllAsync().GetAsyncEnumerator();
        (await responses.MoveNextAsync().AsTask().WaitAsync(HangGuard)).Should().BeTrue();

        cts.Cancel();

        var act = async () => await responses.MoveNextAsync().AsTask().WaitAsync(HangGuard);
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Cancelled);
        // The handler's token fires although it was only waiting for the next request.
        await probe.TokenFired.Task.WaitAsync(HangGuard);
    }

    [Fact]
    public async Task A_server_that_cancels_mid_stream_reports_cancelled_after_the_messages_it_sent()
    {
        using var call = Channel.ServerStreaming(TestMethods.ServerStream, new TestRequest { Text = "c", Count = 2, FailCode = (int)StatusCode.Cancelled }, CallOptions.WithTimeout(HangGuard));
        var texts = new List<string>();
        var act = async () => { await foreach (var message in call.ReadAllAsync()) { texts.Add(message.Text); } };
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Cancelled);
        texts.Should().Equal("c0", "c1");
    }

    [Fact]
    public async Task A_server_that_aborts_the_stream_without_a_status_fails_the_call_instead_of_hanging()
    {
        using var call = Channel.ServerStreaming(TestMethods.ServerStream, new TestRequest { Text = "a", Count = 2, Abort = true }, CallOptions.WithTimeout(HangGuard));
        var texts = new List<string>();
        var act = async () => { await foreach (var message in call.ReadAllAsync()) { texts.Add(message.Text); } };
        var error = (await act.Should().ThrowAsync<RpcException>()).Which;
        // Kestrel resets an aborted stream with INTERNAL_ERROR, which gRPC maps to INTERNAL.
        error.StatusCode.Should().Be(StatusCode.Internal);
        texts.Should().HaveCountLessThanOrEqualTo(2);
    }
}
