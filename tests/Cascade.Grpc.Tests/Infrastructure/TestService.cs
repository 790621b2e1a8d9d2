using Cascade.Grpc.Server;
using Cascade.Grpc.Tests.Protos;
using Google.Protobuf;

namespace Cascade.Grpc.Tests.Infrastructure;

/// <summary>A service whose behaviour each request chooses: echo, delay, stream sizes, failures.</summary>
public sealed class TestService : IGrpcService
{
    /// <summary>Number of handler invocations that observed cancellation of their token.</summary>
    public int CancellationsObserved => _cancellations;

    private int _cancellations;

    public void Bind(GrpcServiceBinder binder)
    {
        binder.Unary(TestMethods.Unary, UnaryAsync);
        binder.ServerStreaming(TestMethods.ServerStream, ServerStreamAsync);
        binder.ClientStreaming(TestMethods.ClientStream, ClientStreamAsync);
        binder.DuplexStreaming(TestMethods.Duplex, DuplexAsync);
    }

    private async Task<TestResponse> UnaryAsync(TestRequest request, ServerCallContext context)
    {
        await Behave(request, context);
        foreach (var entry in context.RequestHeaders)
        {
            if (entry.Key.StartsWith("echo-", StringComparison.Ordinal))
            {
                if (entry.IsBinary) { context.ResponseHeaders.Add(entry.Key, entry.Bytes!); context.ResponseTrailers.Add("trailer-" + entry.Key, entry.Bytes!); }
                else { context.ResponseHeaders.Add(entry.Key, entry.Value!); context.ResponseTrailers.Add("trailer-" + entry.Key, entry.Value!); }
            }
        }
        return new TestResponse
        {
            Text = request.Text,
            Payload = request.ResponseSize > 0 ? ByteString.CopyFrom(new byte[request.ResponseSize]) : request.Payload,
            Deadline = context.Deadline == DateTime.MaxValue ? "none" : "set",
            ReceivedBytes = request.Payload.Length,
        };
    }

    private async Task ServerStreamAsync(TestRequest request, IServerStreamWriter<TestResponse> responses, ServerCallContext context)
    {
        var payload = ByteString.CopyFrom(new byte[request.ResponseSize]);
        for (var i = 0; i < request.Count; i++)
        {
            if (request.DelayMs > 0)
            {
                await Delay(request.DelayMs, context);
            }
            await responses.WriteAsync(new TestResponse { Text = $"{request.Text}{i}", Payload = payload });
        }
        if (request.FailCode != 0)
        {
            throw new RpcException((StatusCode)request.FailCode, $"failed after {request.Count} messages");
        }
    }

    private async Task<TestResponse> ClientStreamAsync(IAsyncStreamReader<TestRequest> requests, ServerCallContext context)
    {
        long bytes = 0;
        var messages = 0;
        await foreach (var request in requests.ReadAllAsync())
        {
            if (request.FailCode != 0)
            {
                throw new RpcException((StatusCode)request.FailCode, "failed on request");
            }
            if (request.DelayMs > 0)
            {
                await Delay(request.DelayMs, context);
            }
            bytes += request.Payload.Length;
            messages++;
        }
        return new TestResponse { ReceivedBytes = bytes, ReceivedMessages = messages };
    }

    private async Task DuplexAsync(IAsyncStreamReader<TestRequest> requests, IServerStreamWriter<TestResponse> responses, ServerCallContext context)
    {
        var messages = 0;
        await foreach (var request in requests.ReadAllAsync())
        {
            await Behave(request, context);
            messages++;
            await responses.WriteAsync(new TestResponse { Text = request.Text, ReceivedMessages = messages });
        }
    }

    private async Task Behave(TestRequest request, ServerCallContext context)
    {
        if (request.DelayMs > 0)
        {
            await Delay(request.DelayMs, context);
        }
        if (request.FailCode != 0)
        {
            var trailers = new Metadata().Add("failure-reason", "requested");
            throw new RpcException(new Status((StatusCode)request.FailCode, $"requested failure: {request.Text}"), trailers);
        }
    }

    private async Task Delay(int milliseconds, ServerCallContext context)
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
