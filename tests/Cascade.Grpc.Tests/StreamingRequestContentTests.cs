using Cascade.Grpc.Client;
using Cascade.Grpc.Tests.Protos;

namespace Cascade.Grpc.Tests;

/// <summary>The request body of client-streaming and bidi calls.</summary>
public class StreamingRequestContentTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Written_messages_reach_the_body_as_frames_and_completion_ends_it()
    {
        using var content = new StreamingRequestContent<TestRequest>(1000, CancellationToken.None, ex => Task.FromResult(ex));
        using var body = new MemoryStream();
        var sending = content.CopyToAsync(body);
        await content.WriteAsync(new TestRequest { Text = "a" });
        await content.WriteAsync(new TestRequest { Text = "bb" });
        await content.CompleteAsync();
        await sending.WaitAsync(HangGuard);

        var bytes = body.ToArray();
        bytes.Should().Equal([.. RawGrpc.Frame(new TestRequest { Text = "a" }), .. RawGrpc.Frame(new TestRequest { Text = "bb" })]);
    }

    [Fact]
    public async Task A_second_serialization_is_refused_so_a_silent_retry_cannot_replay_a_partial_stream()
    {
        using var content = new StreamingRequestContent<TestRequest>(1000, CancellationToken.None, ex => Task.FromResult(ex));
        var first = content.CopyToAsync(Stream.Null);
        var second = async () => await content.CopyToAsync(Stream.Null);
        await second.Should().ThrowAsync<StreamingRequestRetryException>();
        await content.CompleteAsync();
        await first.WaitAsync(HangGuard);
    }

    [Fact]
    public async Task Writing_after_completion_is_refused_with_a_clear_message()
    {
        using var content = new StreamingRequestContent<TestRequest>(1000, CancellationToken.None, ex => Task.FromResult(ex));
        await content.CompleteAsync();
        var act = async () => await content.WriteAsync(new TestRequest());
        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("completed");
    }

    [Fact]
    public async Task A_message_over_the_send_limit_is_resource_exhausted_and_nothing_is_sent()
    {
        using var content = new StreamingRequestContent<TestRequest>(10, CancellationToken.None, ex => Task.FromResult(ex));
        var act = async () => await content.WriteAsync(new TestRequest { Text = new string('x', 100) });
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.ResourceExhausted);
    }
}
