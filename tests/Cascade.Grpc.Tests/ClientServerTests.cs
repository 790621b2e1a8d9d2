using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Cascade.Grpc.Client;
using Cascade.Grpc.Tests.Infrastructure;
using Cascade.Grpc.Tests.Protos;
using Google.Protobuf;

namespace Cascade.Grpc.Tests;

/// <summary>Our client against our server, over real HTTP/2 on loopback.</summary>
public class ClientServerTests(GrpcTestServer server) : IClassFixture<GrpcTestServer>
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);
    private GrpcChannel Channel => server.Channel;

    [Fact]
    public async Task Unary_call_returns_the_response()
    {
        var response = await Channel.UnaryAsync(TestMethods.Unary, new TestRequest { Text = "ping" });
        response.Text.Should().Be("ping");
        response.Deadline.Should().Be("none");
    }

    [Fact]
    public async Task Server_streaming_delivers_every_message_in_order()
    {
        using var call = Channel.ServerStreaming(TestMethods.ServerStream, new TestRequest { Text = "m", Count = 50 });
        var texts = new List<string>();
        await foreach (var message in call.ReadAllAsync())
        {
            texts.Add(message.Text);
        }
        texts.Should().Equal(Enumerable.Range(0, 50).Select(i => $"m{i}"));
        call.GetStatus().StatusCode.Should().Be(StatusCode.OK);
    }

    [Fact]
    public async Task Client_streaming_of_40_MB_in_many_messages_arrives_whole()
    {
        using var call = Channel.ClientStreaming(TestMethods.ClientStream);
        var chunk = ByteString.CopyFrom(new byte[1024 * 1024]);
        for (var i = 0; i < 40; i++)
        {
            await call.RequestStream.WriteAsync(new TestRequest { Payload = chunk });
        }
        await call.RequestStream.CompleteAsync();
        var response = await call.ResponseAsync.WaitAsync(HangGuard);
        response.ReceivedBytes.Should().Be(40L * 1024 * 1024);
        response.ReceivedMessages.Should().Be(40);
    }

    [Fact]
    public async Task Server_streaming_of_10_MB_arrives_whole()
    {
        using var call = Channel.ServerStreaming(TestMethods.ServerStream, new TestRequest { Count = 10, ResponseSize = 1024 * 1024 });
        long total = 0;
        await foreach (var message in call.ReadAllAsync().WithCancellation(new CancellationTokenSource(HangGuard).Token))
        {
            total += message.Payload.Length;
        }
        total.Should().Be(10L * 1024 * 1024);
    }

    [Fact]
    public async Task Bidi_streaming_answers_each_request_as_it_arrives()
    {
        using var call = Channel.DuplexStreaming(TestMethods.Duplex);
        for (var i = 0; i < 5; i++)
        {
            await call.RequestStream.WriteAsync(new TestRequest { Text = $"r{i}" });
            var enumerator = call.ReadAllAsync().GetAsyncEnumerator();
            (await enumerator.MoveNextAsync().AsTask().WaitAsync(HangGuard)).Should().BeTrue();
            enumerator.Current.Text.Should().Be($"r{i}");
            enumerator.Current.ReceivedMessages.Should().Be(i + 1);
        }
        await call.RequestStream.CompleteAsync();
        var rest = new List<TestResponse>();
        await foreach (var message in call.ReadAllAsync())
        {
            rest.Add(message);
        }
        rest.Should().BeEmpty();
        call.GetStatus().StatusCode.Should().Be(StatusCode.OK);
    }

    [Fact]
    public async Task Handler_errors_arrive_with_code_message_and_trailers()
    {
        using var call = Channel.UnaryAsync(TestMethods.Unary, new TestRequest { Text = "boom ✓ 100%", FailCode = (int)StatusCode.FailedPrecondition });
        var error = (await call.ResponseAsync.Awaiting(t => t).Should().ThrowAsync<RpcException>()).Which;
        error.StatusCode.Should().Be(StatusCode.FailedPrecondition);
        error.Status.Detail.Should().Be("requested failure: boom ✓ 100%");
        error.Trailers.GetValue("failure-reason").Should().Be("requested");
    }

    [Fact]
    public async Task An_error_after_streamed_messages_arrives_in_trailers()
    {
        using var call = Channel.ServerStreaming(TestMethods.ServerStream, new TestRequest { Count = 3, FailCode = (int)StatusCode.Aborted });
        var received = 0;
        var act = async () => { await foreach (var _ in call.ReadAllAsync()) { received++; } };
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Aborted);
        received.Should().Be(3);
    }

    [Fact]
    public async Task Metadata_travels_both_ways_including_binary_values()
    {
        var headers = new Metadata().Add("echo-text", "value-1").Add("echo-data-bin", new byte[] { 0, 1, 2, 255 });
        using var call = Channel.UnaryAsync(TestMethods.Unary, new TestRequest { Text = "md" }, new CallOptions(Headers: headers));
        await call;
        var responseHeaders = await call.ResponseHeadersAsync;
        responseHeaders.GetValue("echo-text").Should().Be("value-1");
        responseHeaders.GetBytes("echo-data-bin").Should().Equal(0, 1, 2, 255);
        call.GetTrailers().GetValue("trailer-echo-text").Should().Be("value-1");
        call.GetTrailers().GetBytes("trailer-echo-data-bin").Should().Equal(0, 1, 2, 255);
    }

    [Fact]
    public async Task A_request_over_the_server_limit_is_resource_exhausted()
    {
        var act = async () => await Channel.UnaryAsync(TestMethods.Unary, new TestRequest { Payload = ByteString.CopyFrom(new byte[3 * 1024 * 1024]) },
            CallOptions.WithTimeout(HangGuard));
        await act.Should().NotThrowAsync();

        // The client's own send limit is larger here than the server's receive limit, to reach the server check.
        using var bigChannel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { MaxSendMessageSize = 16 * 1024 * 1024 });
        var tooBig = async () => await bigChannel.UnaryAsync(TestMethods.Unary, new TestRequest { Payload = ByteString.CopyFrom(new byte[5 * 1024 * 1024]) },
            CallOptions.WithTimeout(HangGuard));
        (await tooBig.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.ResourceExhausted);
    }

    [Fact]
    public async Task A_request_over_the_clients_own_limit_fails_resource_exhausted_without_being_sent()
    {
        using var small = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { MaxSendMessageSize = 1000 });
        using var call = small.UnaryAsync(TestMethods.Unary, new TestRequest { Payload = ByteString.CopyFrom(new byte[2000]) });
        var act = async () => await call.ResponseAsync.WaitAsync(HangGuard);
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.ResourceExhausted);
        call.GetStatus().StatusCode.Should().Be(StatusCode.ResourceExhausted);
    }

    [Fact]
    public async Task A_message_over_the_limit_in_a_client_stream_ends_the_call_resource_exhausted()
    {
        using var bigChannel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { MaxSendMessageSize = 16 * 1024 * 1024 });
        using var call = bigChannel.ClientStreaming(TestMethods.ClientStream, CallOptions.WithTimeout(HangGuard));
        await call.RequestStream.WriteAsync(new TestRequest { Payload = ByteString.CopyFrom(new byte[1000]) });
        try
        {
            await call.RequestStream.WriteAsync(new TestRequest { Payload = ByteString.CopyFrom(new byte[5 * 1024 * 1024]) });
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The server may end the call while the oversize message is still being sent; the response says why.
        }
        var act = async () => await call.ResponseAsync;
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.ResourceExhausted);
    }

    [Fact]
    public async Task The_handler_sees_the_peer_address_in_grpc_notation()
    {
        var response = await Channel.UnaryAsync(TestMethods.Unary, new TestRequest());
        response.Metadata.Should().StartWith("ipv4:127.0.0.1:");
    }

    [Fact]
    public async Task A_server_stream_that_ends_with_an_error_keeps_the_trailers_and_status_readable()
    {
        using var call = Channel.ServerStreaming(TestMethods.ServerStream, new TestRequest { Count = 2, FailCode = (int)StatusCode.DataLoss });
        var act = async () => { await foreach (var _ in call.ReadAllAsync()) { } };
        await act.Should().ThrowAsync<RpcException>();
        call.GetStatus().StatusCode.Should().Be(StatusCode.DataLoss);
        call.GetStatus().Detail.Should().Be("failed after 2 messages");
    }

    [Fact]
    public async Task A_response_over_the_client_limit_is_resource_exhausted()
    {
        using var small = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { MaxReceiveMessageSize = 1000 });
        var act = async () => await small.UnaryAsync(TestMethods.Unary, new TestRequest { ResponseSize = 10_000 }, CallOptions.WithTimeout(HangGuard));
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.ResourceExhausted);
    }

    [Fact]
    public async Task An_unknown_method_is_unimplemented()
    {
        var act = async () => await Channel.UnaryAsync(TestMethods.Missing, new TestRequest());
        var error = (await act.Should().ThrowAsync<RpcException>()).Which;
        error.StatusCode.Should().Be(StatusCode.Unimplemented);
        error.Status.Detail.Should().Contain("/cascade.testing.v1.TestService/DoesNotExist");
    }

    [Fact]
    public async Task A_slow_stream_does_not_hold_up_fast_calls_on_the_same_channel()
    {
        using var slow = Channel.ClientStreaming(TestMethods.ClientStream);
        await slow.RequestStream.WriteAsync(new TestRequest { Payload = ByteString.CopyFrom(new byte[10]) });
        for (var i = 0; i < 50; i++)
        {
            (await Channel.UnaryAsync(TestMethods.Unary, new TestRequest { Text = $"fast{i}" }, CallOptions.WithTimeout(HangGuard))).Text.Should().Be($"fast{i}");
        }
        // The slow stream stays open and healthy across the fast calls and an idle gap.
        await Task.Delay(200);
        await slow.RequestStream.WriteAsync(new TestRequest { Payload = ByteString.CopyFrom(new byte[10]) });
        await slow.RequestStream.CompleteAsync();
        (await slow.ResponseAsync.WaitAsync(HangGuard)).ReceivedMessages.Should().Be(2);
    }

    [Fact]
    public async Task A_refused_connection_is_unavailable()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var act = async () => await channel.UnaryAsync(TestMethods.Unary, new TestRequest(), CallOptions.WithTimeout(HangGuard));
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Unavailable);
    }

    [Fact]
    public async Task Client_stream_failure_from_the_server_surfaces_its_status()
    {
        using var call = Channel.ClientStreaming(TestMethods.ClientStream);
        await call.RequestStream.WriteAsync(new TestRequest { FailCode = (int)StatusCode.InvalidArgument });
        var act = async () => await call.ResponseAsync.WaitAsync(HangGuard);
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.InvalidArgument);
    }

    internal static async Task WaitUntil(Func<bool> condition)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!condition())
        {
            stopwatch.Elapsed.Should().BeLessThan(HangGuard, "the condition should become true");
            await Task.Delay(20);
        }
    }
}
