using Cascade.Grpc.Framing;
using Microsoft.AspNetCore.Http;

namespace Cascade.Grpc.Server;

/// <summary>What a handler knows about its call: metadata, deadline, cancellation, and where to put response metadata.</summary>
public sealed class ServerCallContext
{
    private readonly HttpContext _httpContext;
    private Metadata? _requestHeaders;

    internal ServerCallContext(HttpContext httpContext, string method, DateTime deadline, CancellationToken cancellationToken)
    {
        _httpContext = httpContext;
        Method = method;
        Deadline = deadline;
        CancellationToken = cancellationToken;
    }

    /// <summary>The called method, <c>/service/method</c>.</summary>
    public string Method { get; }

    /// <summary>The call's deadline in UTC, or <see cref="DateTime.MaxValue"/> when the client set none.</summary>
    public DateTime Deadline { get; }

    /// <summary>Fires when the client cancels or disconnects, or the deadline passes.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The client's address.</summary>
    public string Peer => $"{_httpContext.Connection.RemoteIpAddress}:{_httpContext.Connection.RemotePort}";

    /// <summary>The request's user metadata (reserved protocol headers excluded).</summary>
    public Metadata RequestHeaders => _requestHeaders ??= ReadRequestHeaders();

    /// <summary>Metadata sent with the response headers; add to it before the first response message.</summary>
    public Metadata ResponseHeaders { get; } = new();

    /// <summary>Metadata sent with the status at the end of the call.</summary>
    public Metadata ResponseTrailers { get; } = new();

    /// <summary>The ASP.NET Core context, for what this class does not expose.</summary>
    public HttpContext HttpContext => _httpContext;

    /// <summary>Sends the response headers now (otherwise they go with the first message or the status).</summary>
    public async Task WriteResponseHeadersAsync()
    {
        ApplyResponseHeaders();
        await _httpContext.Response.BodyWriter.FlushAsync().ConfigureAwait(false);
    }

    internal bool ResponseHeadersApplied { get; private set; }

    internal void ApplyResponseHeaders()
    {
        if (ResponseHeadersApplied || _httpContext.Response.HasStarted)
        {
            ResponseHeadersApplied = true;
            return;
        }
        foreach (var entry in ResponseHeaders)
        {
            _httpContext.Response.Headers.Append(entry.Key, Metadata.ToWireValue(entry));
        }
        ResponseHeadersApplied = true;
    }

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

    internal static string EncodeStatusMessage(string detail) => StatusMessageEncoding.Encode(detail);
}
