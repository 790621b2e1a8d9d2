using Cascade.Hosting.Grpc;
using Grpc.Core;

namespace Cascade.Hosting.Tests;

/// <summary>
/// A call whose client left ends CANCELLED (an <see cref="RpcException"/>, which Grpc.AspNetCore and its JSON transcoding
/// log at Information) instead of an <see cref="OperationCanceledException"/> logged at Error, and a late response is
/// not handed to a reset stream. A cancellation while the client is still there stays what it is: a fault.
/// </summary>
public sealed class ClientCancellationTests
{
    private readonly ClientCancellation _interceptor = new();

    [Fact]
    public async Task A_handler_cancelled_with_the_calls_token_ends_cancelled()
    {
        using var gone = new CancellationTokenSource();
        var context = new TestServerCallContext(gone.Token);
        var call = _interceptor.UnaryServerHandler<string, string>("request", context, async (_, c) =>
        {
            await gone.CancelAsync();
            await Task.Delay(Timeout.Infinite, c.CancellationToken);
            return "never";
        });

        var refused = await call.Invoking(c => c).Should().ThrowAsync<RpcException>();
        refused.Which.StatusCode.Should().Be(StatusCode.Cancelled);
    }

    [Fact]
    public async Task A_handler_that_throws_synchronously_after_the_client_left_ends_cancelled()
    {
        using var gone = new CancellationTokenSource();
        await gone.CancelAsync();
        var context = new TestServerCallContext(gone.Token);

        var call = () => _interceptor.UnaryServerHandler<string, string>("request", context, (_, c) =>
        {
            c.CancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult("never");
        });

        (await call.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Cancelled);
    }

    [Fact]
    public async Task A_response_finished_after_the_client_left_is_not_written()
    {
        using var gone = new CancellationTokenSource();
        var context = new TestServerCallContext(gone.Token);
        var call = _interceptor.UnaryServerHandler<string, string>("request", context, async (_, _) =>
        {
            await Task.Yield();
            await gone.CancelAsync();
            return "a large listing nobody reads";
        });

        (await call.Invoking(c => c).Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Cancelled);
    }

    [Fact]
    public async Task A_call_past_its_deadline_ends_deadline_exceeded()
    {
        using var expired = new CancellationTokenSource();
        await expired.CancelAsync();
        var context = new TestServerCallContext(expired.Token, DateTime.UtcNow.AddSeconds(-1));

        var call = () => _interceptor.ClientStreamingServerHandler<string, string>(null!, context, (_, c) =>
            Task.FromException<string>(new OperationCanceledException(c.CancellationToken)));

        (await call.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.DeadlineExceeded);
    }

    [Fact]
    public async Task A_cancellation_while_the_client_is_still_there_is_not_hidden()
    {
        var context = new TestServerCallContext(CancellationToken.None);
        using var ours = new CancellationTokenSource();
        await ours.CancelAsync();

        var call = () => _interceptor.ServerStreamingServerHandler<string, string>("request", null!, context, (_, _, _) =>
            Task.FromCanceled(ours.Token));

        await call.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task A_call_that_completes_while_the_client_waits_answers()
    {
        var context = new TestServerCallContext(CancellationToken.None);

        var answer = await _interceptor.UnaryServerHandler<string, string>("request", context, (r, _) => Task.FromResult(r + "!"));

        answer.Should().Be("request!");
    }

    [Fact]
    public async Task A_stream_written_after_its_deadline_ended_the_response_ends_deadline_exceeded()
    {
        using var expired = new CancellationTokenSource();
        var context = new TestServerCallContext(expired.Token, DateTime.UtcNow.AddSeconds(-1));
        var completed = new CompletedResponse<string>(expired);

        var call = () => _interceptor.ServerStreamingServerHandler<string, string>("request", completed, context, async (_, stream, _) =>
        {
            await stream.WriteAsync("chunk 1"); // the framework ends the response while this one is written
            await stream.WriteAsync("chunk 2");
        });

        (await call.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.DeadlineExceeded);
        completed.Written.Should().Be(0);
    }

    [Fact]
    public async Task A_failed_write_while_the_call_is_alive_is_not_hidden()
    {
        var context = new TestServerCallContext(CancellationToken.None);
        var completed = new CompletedResponse<string>(null);

        var call = () => _interceptor.ServerStreamingServerHandler<string, string>("request", completed, context, (_, stream, _) => stream.WriteAsync("chunk"));

        await call.Should().ThrowAsync<InvalidOperationException>();
    }

    [Fact]
    public async Task A_stream_whose_call_is_alive_writes_every_message()
    {
        var context = new TestServerCallContext(CancellationToken.None);
        var stream = new CollectingWriter<string>();

        await _interceptor.ServerStreamingServerHandler<string, string>("request", stream, context, async (_, s, _) =>
        {
            await s.WriteAsync("a");
            await s.WriteAsync("b", CancellationToken.None);
        });

        stream.Messages.Should().Equal("a", "b");
    }

    /// <summary>A response Kestrel has completed: every write throws as Kestrel's does, after ending the call if asked to.</summary>
    private sealed class CompletedResponse<T>(CancellationTokenSource? endsCall) : IServerStreamWriter<T>
    {
        public int Written { get; private set; }

        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(T message)
        {
            endsCall?.Cancel();
            return Task.FromException(new InvalidOperationException("Writing is not allowed after writer was completed."));
        }
    }

    private sealed class CollectingWriter<T> : IServerStreamWriter<T>
    {
        public List<T> Messages { get; } = [];

        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(T message)
        {
            Messages.Add(message);
            return Task.CompletedTask;
        }
    }
}
