using Cascade.Interop.Tests.Protos;
using Google.Protobuf;
using Grpc.Core;

namespace Cascade.Interop.Tests.TestServer;

/// <summary>
/// The scenario service (<c>cascade.testing.v1.TestService</c>) on Grpc.AspNetCore, for grpc-js to call: each request
/// chooses echo, delay, stream sizes or failure, as <c>node/server.js</c> does for the other direction.
/// </summary>
public sealed class ScenarioService : Protos.TestService.TestServiceBase
{
    private int _cancellations;

    /// <summary>Number of handler invocations that observed cancellation of their call.</summary>
    public int CancellationsObserved => Volatile.Read(ref _cancellations);

    public override async Task<TestResponse> Unary(TestRequest request, ServerCallContext context)
    {
        var echoed = new Metadata();
        foreach (var entry in context.RequestHeaders.Where(e => e.Key.StartsWith("echo-", StringComparison.Ordinal)))
        {
            echoed.Add(entry);
            context.ResponseTrailers.Add(entry.IsBinary ? new Metadata.Entry("trailer-" + entry.Key, entry.ValueBytes) : new Metadata.Entry("trailer-" + entry.Key, entry.Value));
        }
        if (echoed.Count > 0 || request.DelayMs > 0)
        {
            // A delayed call sends its headers at once: the client then knows the call reached this handler (and cancels
            // it then) instead of guessing how long that takes on a busy machine.
            await context.WriteResponseHeadersAsync(echoed);
        }
        await BehaveAsync(request, context);
        return new TestResponse
        {
            Text = request.Text,
            Payload = request.ResponseSize > 0 ? ByteString.CopyFrom(new byte[request.ResponseSize]) : request.Payload,
            Deadline = context.Deadline == DateTime.MaxValue ? "none" : "set",
            ReceivedBytes = request.Payload.Length,
            Metadata = context.Peer,
        };
    }

    public override async Task ServerStream(TestRequest request, IServerStreamWriter<TestResponse> responseStream, ServerCallContext context)
    {
        var payload = ByteString.CopyFrom(new byte[request.ResponseSize]);
        for (var i = 0; i < request.Count; i++)
        {
            if (request.DelayMs > 0)
            {
                await DelayAsync(request.DelayMs, context);
            }
            await responseStream.WriteAsync(new TestResponse { Text = $"{request.Text}{i}", Payload = payload });
        }
        if (request.FailCode != 0)
        {
            throw Failure(request);
        }
    }

    public override async Task<TestResponse> ClientStream(IAsyncStreamReader<TestRequest> requestStream, ServerCallContext context)
    {
        long bytes = 0;
        var messages = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await BehaveAsync(request, context);
            bytes += request.Payload.Length;
            messages++;
        }
        return new TestResponse { ReceivedBytes = bytes, ReceivedMessages = messages };
    }

    public override async Task Duplex(IAsyncStreamReader<TestRequest> requestStream, IServerStreamWriter<TestResponse> responseStream, ServerCallContext context)
    {
        var messages = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await BehaveAsync(request, context);
            messages++;
            await responseStream.WriteAsync(new TestResponse { Text = request.Text, ReceivedMessages = messages });
        }
    }

    private async Task BehaveAsync(TestRequest request, ServerCallContext context)
    {
        if (request.DelayMs > 0)
        {
            await DelayAsync(request.DelayMs, context);
        }
        if (request.FailCode != 0)
        {
            throw Failure(request);
        }
    }

    private static RpcException Failure(TestRequest request) =>
        new(new Status((StatusCode)request.FailCode, $"requested failure: {request.Text}"), new Metadata { { "failure-reason", "requested" } });

    private async Task DelayAsync(int milliseconds, ServerCallContext context)
    {
        try
        {
            await Task.Delay(milliseconds, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref _cancellations);
            throw;
        }
    }
}
