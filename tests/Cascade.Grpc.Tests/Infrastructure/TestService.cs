using Cascade.Grpc.Server;
using Cascade.Grpc.Tests.Protos;
using Google.Protobuf;

namespace Cascade.Grpc.Tests.Infrastructure;

/// <summary>A service whose behaviour each request chooses: echo, delay, stream sizes, failures, aborts.</summary>
public sealed class TestService : IGrpcService
{
    private int _cancellations;

    /// <summary>Number of handler invocations that observed cancellation of their token.</summary>
    public int CancellationsObserved => _cancellations;

    /// <summary>Probes that requests may name to report what happens to them inside the server.</summary>
    public CallProbes Probes { get; } = new();

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
                context.ResponseHeaders.Add(entry);
                context.ResponseTrailers.Add(entry with { Key = "trailer-" + entry.Key });
            }
        }
        return new TestResponse
        {
            Text = request.Text,
            Payload = request.ResponseSize > 0 ? ByteString.CopyFrom(new byte[request.ResponseSize]) : request.Payload,
            Deadline = context.Deadline == DateTime.MaxValue ? "none" : "set",
            ReceivedBytes = request.Payload.Length,
            Metadata = context.Peer,
        };
    }

    private async Task ServerStreamAsync(TestRequest request, IServerStreamWriter<TestResponse> responses, ServerCallContext context)
    {
        var probe = Probes.Find(request.Probe);
        using var registration = Observe(probe, context);
        var payload = ByteString.CopyFrom(new byte[request.ResponseSize]);
        for (var i = 0; i < request.Count; i++)
        {
            if (request.DelayMs > 0)
            {
                await Delay(request.DelayMs, context);
            }
            await responses.WriteAsync(new TestResponse { Text = $"{request.Text}{i}", Payload = payload });
        }
        if (request.Abort)
        {
            // A server that gives up on a call without a status: the client must not wait forever.
            context.HttpContext.Abort();
            return;
        }
        if (request.FailCode != 0)
        {
            throw new RpcException((StatusCode)request.FailCode, $"failed after {request.Count} messages");
        }
        if (probe is not null && request.IgnoreCancellation)
        {
            await probe.Release.Task;
            // Deliberately past its deadline: the layer must refuse the write, not corrupt the answered call.
            await responses.WriteAsync(new TestResponse { Text = "late" });
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
        // A probe named by any request follows the rest of the call, including waits for the next request.
        var registration = default(CancellationTokenRegistration);
        try
        {
            await foreach (var request in requests.ReadAllAsync(context.CancellationToken))
            {
                if (registration == default && Probes.Find(request.Probe) is { } probe)
                {
                    registration = Observe(probe, context);
                }
                await Behave(request, context);
                messages++;
                await responses.WriteAsync(new TestResponse { Text = request.Text, ReceivedMessages = messages });
            }
        }
        finally
        {
            registration.Dispose();
        }
    }

    private async Task Behave(TestRequest request, ServerCallContext context)
    {
        var probe = Probes.Find(request.Probe);
        using var registration = Observe(probe, context);
        try
        {
            if (probe is not null && request.IgnoreCancellation)
            {
                // A handler that never looks at its token, like a CPU-bound computation.
                await probe.Release.Task;
            }
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
        finally
        {
            probe?.Finished.TrySetResult();
        }
    }

    private static CancellationTokenRegistration Observe(CallProbe? probe, ServerCallContext context)
    {
        if (probe is null)
        {
            return default;
        }
        probe.Deadline = context.Deadline;
        var registration = context.CancellationToken.Register(() => probe.TokenFired.TrySetResult());
        probe.Started.TrySetResult();
        return registration;
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
