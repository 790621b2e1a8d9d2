using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace Cascade.Grpc.Server;

/// <summary>What a handler knows about its call: metadata, deadline, cancellation, and where to put response metadata.</summary>
/// <remarks>
/// One object per call carries both the handler's view and the dispatcher's bookkeeping, so a unary call
/// costs a single allocation here; metadata collections are created only when a handler touches them.
/// </remarks>
public sealed class ServerCallContext
{
    private const int Open = 0;
    private const int CompletedByHandler = 1;
    private const int CompletedByDeadline = 2;

    private readonly HttpContext _httpContext;
    private readonly ServerCallDeadline? _deadline;
    private Metadata? _requestHeaders;
    private Metadata? _responseHeaders;
    private Metadata? _responseTrailers;
    private string? _peer;
    private SemaphoreSlim? _responseGate;
    private int _completion;

    internal ServerCallContext(HttpContext httpContext, string method, GrpcServerOptions options, string? requestEncoding, ServerCallDeadline? deadline)
    {
        _httpContext = httpContext;
        _deadline = deadline;
        Method = method;
        Options = options;
        RequestEncoding = requestEncoding;
        Deadline = deadline?.Deadline ?? DateTime.MaxValue;
        CancellationToken = deadline?.Token ?? httpContext.RequestAborted;
    }

    /// <summary>The called method, <c>/service/method</c>.</summary>
    public string Method { get; }

    /// <summary>The call's deadline in UTC, or <see cref="DateTime.MaxValue"/> when the client set none.</summary>
    public DateTime Deadline { get; }

    /// <summary>Fires when the client cancels or disconnects, or the deadline passes.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The client's address in gRPC's notation, e.g. <c>ipv4:127.0.0.1:50312</c> or <c>ipv6:[::1]:50312</c>.</summary>
    public string Peer => _peer ??= FormatPeer(_httpContext.Connection.RemoteIpAddress, _httpContext.Connection.RemotePort);

    /// <summary>The request's user metadata (reserved protocol headers excluded).</summary>
    public Metadata RequestHeaders => _requestHeaders ??= ReadRequestHeaders();

    /// <summary>Metadata sent with the response headers; add to it before the first response message.</summary>
    public Metadata ResponseHeaders => _responseHeaders ??= new Metadata();

    /// <summary>Metadata sent with the status at the end of the call.</summary>
    public Metadata ResponseTrailers => _responseTrailers ??= new Metadata();

    /// <summary>The ASP.NET Core context, for what this class does not expose.</summary>
    public HttpContext HttpContext => _httpContext;

    /// <summary>Sends the response headers now (otherwise they go with the first message or the status).</summary>
    public async Task WriteResponseHeadersAsync()
    {
        var gate = ResponseGate;
        await gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            EnsureOpen();
            ApplyResponseHeaders();
            // No token: a cancelled flush makes Kestrel reset the stream with INTERNAL_ERROR.
            await _httpContext.Response.BodyWriter.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    internal GrpcServerOptions Options { get; }

    /// <summary>The request's <c>grpc-encoding</c>, or null for identity.</summary>
    internal string? RequestEncoding { get; }

    /// <summary>Set once a response message was written: the status must then go in trailers, not trailers-only headers.</summary>
    internal bool ResponseWritten { get; set; }

    /// <summary>
    /// Serializes access to the response between stream writes, early headers and the deadline. Created on first
    /// use, so a unary call (whose single write is guarded by <see cref="TryCompleteByHandler"/>) never pays for it.
    /// </summary>
    internal SemaphoreSlim ResponseGate
    {
        get
        {
            if (_responseGate is { } gate)
            {
                return gate;
            }
            Interlocked.CompareExchange(ref _responseGate, new SemaphoreSlim(1, 1), null);
            return _responseGate;
        }
    }

    /// <summary>Whether the deadline (not the client) ended the call.</summary>
    internal bool DeadlineExpired => _deadline is { Expired: true };

    /// <summary>Whether the deadline already answered the call with DEADLINE_EXCEEDED.</summary>
    internal bool CompletedByDeadlineTimer => Volatile.Read(ref _completion) == CompletedByDeadline;

    internal ServerCallDeadline? DeadlineTimer => _deadline;

    /// <summary>Claims the right to end the call for the handler's side; false if the deadline answered it already.</summary>
    internal bool TryCompleteByHandler() => Interlocked.CompareExchange(ref _completion, CompletedByHandler, Open) != CompletedByDeadline;

    /// <summary>Claims the right to end the call for the deadline; false if the handler's side ended it already.</summary>
    internal bool TryCompleteByDeadline() => Interlocked.CompareExchange(ref _completion, CompletedByDeadline, Open) == Open;

    /// <summary>Throws if the call has ended, so no frame is written after its status.</summary>
    internal void EnsureOpen()
    {
        switch (Volatile.Read(ref _completion))
        {
            case CompletedByDeadline:
                throw new OperationCanceledException("The call's deadline passed; its status was sent.", CancellationToken);
            case CompletedByHandler:
                throw new InvalidOperationException($"The call {Method} has completed; nothing more can be written to it.");
        }
    }

    internal bool ResponseHeadersApplied { get; private set; }

    internal void ApplyResponseHeaders()
    {
        if (ResponseHeadersApplied)
        {
            return;
        }
        ResponseHeadersApplied = true;
        if (_responseHeaders is null || _httpContext.Response.HasStarted)
        {
            return;
        }
        var headers = _httpContext.Response.Headers;
        foreach (var entry in _responseHeaders)
        {
            headers.Append(entry.Key, Metadata.ToWireValue(entry));
        }
    }

    /// <summary>Trailers the handler set, if any (without creating the collection).</summary>
    internal Metadata? ResponseTrailersIfAny => _responseTrailers;

    private Metadata ReadRequestHeaders()
    {
        var metadata = new Metadata();
        foreach (var header in _httpContext.Request.Headers)
        {
            if (Metadata.IsReserved(header.Key))
            {
                continue;
            }
            foreach (var value in header.Value)
            {
                if (value is not null)
                {
                    metadata.AddFromWire(header.Key, value);
                }
            }
        }
        return metadata;
    }

    private static string FormatPeer(IPAddress? address, int port) => address switch
    {
        null => "unknown",
        { AddressFamily: AddressFamily.InterNetworkV6 } when address.IsIPv4MappedToIPv6 => $"ipv4:{address.MapToIPv4()}:{port}",
        { AddressFamily: AddressFamily.InterNetworkV6 } => $"ipv6:[{address}]:{port}",
        _ => $"ipv4:{address}:{port}",
    };
}
