using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cascade.Grpc.Server;

/// <summary>
/// Enforces a call's <c>grpc-timeout</c>: at the deadline the handler's token fires and DEADLINE_EXCEEDED is
/// sent at once, even if the handler ignores its token and is still running (its late result is dropped).
/// </summary>
/// <remarks>
/// The status goes out as trailers (or a trailers-only response) followed by END_STREAM, never as our own
/// RST_STREAM: a reset races the trailers and clients then report INTERNAL instead of DEADLINE_EXCEEDED.
/// </remarks>
internal sealed class ServerCallDeadline : IDisposable
{
    /// <summary>Longest timeout a timer can represent; longer ones (weeks) are treated as no deadline.</summary>
    internal static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly HttpContext _httpContext;
    private readonly CancellationTokenSource _source;
    private readonly ILogger _logger;
    private readonly TimeSpan _timeout;
    private CancellationTokenRegistration _registration;
    private ServerCallContext? _call;
    private TaskCompletionSource? _expiry;

    private ServerCallDeadline(HttpContext httpContext, TimeSpan timeout, ILogger logger)
    {
        _httpContext = httpContext;
        _timeout = timeout;
        _logger = logger;
        Deadline = DateTime.UtcNow + timeout;
        _source = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted);
    }

    /// <summary>A deadline for the call, or null when the timeout is too long to matter.</summary>
    public static ServerCallDeadline? Create(HttpContext httpContext, TimeSpan timeout, ILogger logger) =>
        timeout > MaxTimeout ? null : new ServerCallDeadline(httpContext, timeout, logger);

    public DateTime Deadline { get; }

    /// <summary>Fires at the deadline or when the client goes away.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Whether the deadline passed (rather than the client leaving).</summary>
    public bool Expired => _source.IsCancellationRequested && !_httpContext.RequestAborted.IsCancellationRequested;

    /// <summary>Starts the clock; the call context must exist first, because the deadline may answer it.</summary>
    public void Start(ServerCallContext call)
    {
        _call = call;
        _registration = _source.Token.UnsafeRegister(static state => ((ServerCallDeadline)state!).OnCancelled(), this);
        _source.CancelAfter(_timeout);
    }

    /// <summary>Completes when a DEADLINE_EXCEEDED response that the timer started has been written.</summary>
    public Task WaitForExpiryResponseAsync() => Volatile.Read(ref _expiry)?.Task ?? Task.CompletedTask;

    private void OnCancelled()
    {
        if (_httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client left: there is no one to send a status to.
            return;
        }
        // Published before the claim, so whoever sees the claim also sees the task to wait for.
        var expiry = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _expiry, expiry);
        if (!_call!.TryCompleteByDeadline())
        {
            expiry.TrySetResult();
            return;
        }
        _ = RespondAsync(_call, expiry);
    }

    private async Task RespondAsync(ServerCallContext call, TaskCompletionSource expiry)
    {
        var gate = call.ResponseGate;
        try
        {
            // Let a message being written finish: a frame cut in half would corrupt the stream.
            await gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                GrpcDispatcherLog.DeadlineExceeded(_logger, call.Method);
                // The handler may still be filling its metadata on another thread: send the status alone.
                GrpcStatusWriter.WriteStatus(_httpContext.Response, call.ResponseWritten, GrpcStatusWriter.DeadlineExceeded, trailers: null);
                await _httpContext.Response.CompleteAsync().ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The client reset the stream meanwhile; nothing more to tell it.
            GrpcDispatcherLog.ClientEnded(_logger, call.Method, ex.GetType().Name);
        }
        catch (Exception ex)
        {
            // Runs detached from the request: log rather than leave an unobserved task exception.
            GrpcDispatcherLog.DeadlineResponseFailed(_logger, call.Method, ex);
        }
        finally
        {
            expiry.TrySetResult();
        }
    }

    public void Dispose()
    {
        _registration.Dispose();
        _source.Dispose();
    }
}
