using Cascade.Grpc.Client;
using Cascade.Grpc.Tests.Infrastructure;
using Cascade.Grpc.Tests.Protos;

namespace Cascade.Grpc.Tests;

/// <summary>Deadlines: carried to the server, enforced by the client, and enforced by the server on its own.</summary>
public class DeadlineTests(GrpcTestServer server) : IClassFixture<GrpcTestServer>
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_server_sees_the_deadline_the_client_set()
    {
        var (key, probe) = server.Service.Probes.Create();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var response = await server.Channel.UnaryAsync(TestMethods.Unary, new TestRequest { Probe = key }, new CallOptions(Deadline: deadline));
        response.Deadline.Should().Be("set");
        // The header has a resolution of its unit and the clocks read at different instants: allow a little either way.
        probe.Deadline.Should().BeCloseTo(deadline, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Without_a_deadline_the_server_sees_none()
    {
        var response = await server.Channel.UnaryAsync(TestMethods.Unary, new TestRequest());
        response.Deadline.Should().Be("none");
    }

    [Fact]
    public async Task A_slow_call_ends_deadline_exceeded_and_the_handler_token_fires()
    {
        var (key, probe) = server.Service.Probes.Create();
        // Long enough for the request to reach the server on a busy machine; the handler would wait a minute.
        var act = async () => await server.Channel.UnaryAsync(TestMethods.Unary, new TestRequest { Probe = key, DelayMs = 60_000 }, CallOptions.WithTimeout(TimeSpan.FromSeconds(2)));
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.DeadlineExceeded);
        await probe.Started.Task.WaitAsync(HangGuard);
        await probe.TokenFired.Task.WaitAsync(HangGuard);
    }

    [Fact]
    public async Task The_client_enforces_its_deadline_even_when_the_server_never_answers()
    {
        var (key, probe) = server.Service.Probes.Create();
        try
        {
            // The handler ignores its token; only the client's own timer can end this call on time.
            var act = async () => await server.Channel.UnaryAsync(TestMethods.Unary, new TestRequest { Probe = key, IgnoreCancellation = true }, CallOptions.WithTimeout(TimeSpan.FromMilliseconds(300)));
            (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.DeadlineExceeded);
        }
        finally
        {
            probe.Release.TrySetResult();
        }
    }

    [Fact]
    public async Task The_server_answers_deadline_exceeded_on_time_even_if_the_handler_ignores_its_token()
    {
        var (key, probe) = server.Service.Probes.Create();
        using var http = RawGrpc.CreateInvoker();
        // No client-side deadline here: the grpc-timeout header alone must end the call.
        using var request = RawGrpc.Request(server.Address, TestMethods.Unary.FullName, RawGrpc.Frame(new TestRequest { Probe = key, IgnoreCancellation = true }));
        request.Headers.TryAddWithoutValidation("grpc-timeout", "200m");
        using var response = await http.SendAsync(request, CancellationToken.None).WaitAsync(HangGuard);
        var body = await response.Content.ReadAsByteArrayAsync().WaitAsync(HangGuard);

        probe.Finished.Task.IsCompleted.Should().BeFalse("the handler is still blocked, so the answer came from the deadline");
        RawGrpc.StatusOf(response).Should().Be("4");
        body.Should().BeEmpty();
        await probe.TokenFired.Task.WaitAsync(HangGuard);

        probe.Release.SetResult();
        await probe.Finished.Task.WaitAsync(HangGuard);
        // The late result is dropped quietly: no handler error, and the server keeps serving.
        (await server.Channel.UnaryAsync(TestMethods.Unary, new TestRequest { Text = "after" })).Text.Should().Be("after");
        server.LoggedErrors.Errors.Should().BeEmpty();
    }

    [Fact]
    public async Task A_server_stream_past_its_deadline_ends_with_deadline_exceeded_after_its_messages()
    {
        var (key, probe) = server.Service.Probes.Create();
        using var http = RawGrpc.CreateInvoker();
        using var request = RawGrpc.Request(server.Address, TestMethods.ServerStream.FullName, RawGrpc.Frame(new TestRequest { Probe = key, Count = 3, IgnoreCancellation = true }));
        request.Headers.TryAddWithoutValidation("grpc-timeout", "300m");
        using var response = await http.SendAsync(request, CancellationToken.None).WaitAsync(HangGuard);
        var body = await response.Content.ReadAsByteArrayAsync().WaitAsync(HangGuard);
        probe.Release.SetResult();

        RawGrpc.StatusOf(response).Should().Be("4");
        response.TrailingHeaders.GetValues("grpc-status").Should().Equal("4");
        CountFrames(body).Should().Be(3, "the messages written before the deadline arrive whole, the late one never");
    }

    [Fact]
    public async Task A_deadline_already_past_fails_at_once_with_deadline_exceeded()
    {
        var act = async () => await server.Channel.UnaryAsync(TestMethods.Unary, new TestRequest(), new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(-1)));
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.DeadlineExceeded);
    }

    [Fact]
    public async Task A_deadline_too_far_for_a_timer_still_works()
    {
        // A year exceeds what CancellationTokenSource can time (~49 days) on both sides.
        var response = await server.Channel.UnaryAsync(TestMethods.Unary, new TestRequest { Text = "patient" }, new CallOptions(Deadline: DateTime.UtcNow.AddYears(1)));
        response.Text.Should().Be("patient");
    }

    [Theory]
    [InlineData("99999999H")]
    [InlineData("99999999S")]
    public async Task The_largest_timeout_headers_are_accepted(string header)
    {
        using var http = RawGrpc.CreateInvoker();
        using var request = RawGrpc.Request(server.Address, TestMethods.Unary.FullName, RawGrpc.Frame(new TestRequest { Text = "x" }));
        request.Headers.TryAddWithoutValidation("grpc-timeout", header);
        using var response = await http.SendAsync(request, CancellationToken.None).WaitAsync(HangGuard);
        await response.Content.ReadAsByteArrayAsync();
        RawGrpc.StatusOf(response).Should().Be("0");
    }

    [Fact]
    public async Task A_malformed_timeout_header_is_refused_with_a_message_saying_what_is_wrong()
    {
        using var http = RawGrpc.CreateInvoker();
        using var request = RawGrpc.Request(server.Address, TestMethods.Unary.FullName, RawGrpc.Frame(new TestRequest()));
        request.Headers.TryAddWithoutValidation("grpc-timeout", "soon");
        using var response = await http.SendAsync(request, CancellationToken.None).WaitAsync(HangGuard);
        RawGrpc.StatusOf(response).Should().Be("13");
        response.Headers.GetValues("grpc-message").Single().Should().Contain("grpc-timeout");
    }

    private static int CountFrames(byte[] body)
    {
        var count = 0;
        for (var offset = 0; offset < body.Length; count++)
        {
            offset += 5 + (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(offset + 1));
        }
        return count;
    }
}
