using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using Cascade.Grpc.Framing;
using Google.Protobuf;

namespace Cascade.Grpc.Client;

/// <summary>
/// One call on the wire, whatever its kind: sends the request, reads the response frames, and settles
/// the final status — the server's (from trailers or trailers-only headers) whenever it sent one,
/// otherwise the client's own (deadline, cancellation, transport failure).
/// </summary>
internal sealed class ClientCall<TRequest, TResponse> : IClientCallOutcome
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    // Shared, never mutated: allocating them per call would be waste on the hot path.
    private static readonly MediaTypeHeaderValue GrpcContentType = new(GrpcProtocol.ContentType);

    private readonly GrpcChannel _channel;
    private readonly Method<TRequest, TResponse> _method;
    private readonly CallOptions _options;
    private readonly DateTime? _deadline;
    private readonly CancellationTokenSource _callSource;
    private readonly CancellationTokenSource? _deadlineSource;
    private readonly TaskCompletionSource<Metadata> _headers = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task<HttpResponseMessage>? _sendTask;
    private HttpResponseMessage? _response;
    private PipeReader? _reader;
    private string? _responseEncoding;
    private Outcome? _outcome;
    private StreamingRequestContent<TRequest>? _requestContent;
    private int _disposed;

    public ClientCall(GrpcChannel channel, Method<TRequest, TResponse> method, CallOptions options)
    {
        _channel = channel;
        _method = method;
        _options = options;
        if (options.Deadline is { } deadline && deadline != DateTime.MaxValue)
        {
            _deadline = deadline.ToUniversalTime();
            var remaining = _deadline.Value - DateTime.UtcNow;
            // A timer cannot wait longer than ~49 days; such deadlines still travel in grpc-timeout.
            if (remaining <= MaxLocalTimeout)
            {
                _deadlineSource = new CancellationTokenSource(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
            }
        }
        _callSource = _deadlineSource is null
            ? CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken)
            : CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken, _deadlineSource.Token);
    }

    private static TimeSpan MaxLocalTimeout { get; } = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    public Task<Metadata> ResponseHeadersAsync => _headers.Task;

    public IClientStreamWriter<TRequest> RequestStream => _requestContent ?? throw new InvalidOperationException("This call has no request stream.");

    /// <summary>The final status; throws if the call has not ended.</summary>
    public Status GetStatus() => (_outcome ?? throw NotFinished()).Status;

    /// <summary>Trailing metadata; throws if the call has not ended.</summary>
    public Metadata GetTrailers() => (_outcome ?? throw NotFinished()).Trailers;

    /// <summary>Starts a call with a single request message.</summary>
    public void StartUnaryRequest(TRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        byte[] frame;
        try
        {
            frame = MessageFraming.ToFrame(request, _channel.Options.MaxSendMessageSize);
        }
        catch (RpcException ex)
        {
            // Too large to send: the call fails like any other, through its response.
            Settle(ex.Status, null);
            return;
        }
        var content = new ByteArrayContent(frame);
        content.Headers.ContentType = GrpcContentType;
        Start(content);
    }

    /// <summary>Starts a call whose request is a stream the caller writes to.</summary>
    public void StartStreamingRequest()
    {
        _requestContent = new StreamingRequestContent<TRequest>(_channel.Options.MaxSendMessageSize, _callSource.Token, OnRequestWriteFailureAsync);
        _requestContent.Headers.ContentType = GrpcContentType;
        Start(_requestContent);
    }

    private void Start(HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _channel.MethodUri(_method.FullName))
        {
            Version = HttpVersion.Version20,
            // Exact: "or lower" silently falls back to HTTP/1.1, which cannot carry trailers.
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        var headers = request.Headers;
        headers.TryAddWithoutValidation("te", "trailers");
        headers.TryAddWithoutValidation("user-agent", GrpcProtocol.UserAgent);
        headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, GrpcProtocol.SupportedEncodings);
        if (_deadline is { } deadline)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcTimeout.Format(deadline - DateTime.UtcNow));
        }
        if (_options.Headers is { } metadata)
        {
            foreach (var entry in metadata)
            {
                headers.TryAddWithoutValidation(entry.Key, Metadata.ToWireValue(entry));
            }
        }
        _sendTask = _channel.Invoker.SendAsync(request, _callSource.Token);
    }

    /// <summary>Waits for the response headers; on a trailers-only response the call is already settled.</summary>
    private async ValueTask<bool> EnsureResponseAsync(CancellationToken readToken)
    {
        if (_reader is not null)
        {
            return true;
        }
        if (_outcome is not null)
        {
            return false;
        }
        HttpResponseMessage response;
        try
        {
            response = readToken.CanBeCanceled
                ? await _sendTask!.WaitAsync(readToken).ConfigureAwait(false)
                : await _sendTask!.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            SettleLocally(ex, readToken);
            return false;
        }
        _response = response;
        _headers.TrySetResult(ReadMetadata(response.Headers));

        if (response.StatusCode != HttpStatusCode.OK)
        {
            Settle(new Status(StatusMapping.FromHttpStatus(response.StatusCode), $"Bad gRPC response. HTTP status code: {(int)response.StatusCode}"), null);
            return false;
        }
        if (TryReadStatus(response.Headers, out var trailersOnly))
        {
            Settle(trailersOnly, ReadMetadata(response.Headers));
            return false;
        }
        var contentType = FirstValue(response.Content.Headers.NonValidated, "Content-Type");
        if (!GrpcProtocol.IsGrpcContentType(contentType))
        {
            Settle(new Status(StatusCode.Internal, $"Bad gRPC response. Invalid content-type value: {contentType ?? "(none)"}"), null);
            CancelCall();
            return false;
        }
        _responseEncoding = FirstValue(response.Headers.NonValidated, GrpcProtocol.EncodingHeader);
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(_callSource.Token).ConfigureAwait(false);
            _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        }
        catch (Exception ex)
        {
            SettleLocally(ex, readToken);
            return false;
        }
        return true;
    }

    /// <summary>Reads the next response message, or null once the server ended the stream with OK.</summary>
    /// <param name="cancellationToken">Cancels the read, and with it the call (the server sees CANCELLED).</param>
    /// <exception cref="RpcException">The call ended with a non-OK status.</exception>
    public async ValueTask<TResponse?> ReadNextAsync(CancellationToken cancellationToken = default)
    {
        if (await EnsureResponseAsync(cancellationToken).ConfigureAwait(false))
        {
            using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _callSource.Token) : null;
            try
            {
                var message = await MessageFraming.ReadMessageAsync(_reader!, _method.ResponseParser, _channel.Options.MaxReceiveMessageSize, _responseEncoding, linked?.Token ?? _callSource.Token).ConfigureAwait(false);
                if (message is not null)
                {
                    return message;
                }
                SettleFromTrailers();
            }
            catch (RpcException ex) when (_outcome is null)
            {
                // A local protocol failure (oversize message, bad frame): cancel the rest of the call.
                Settle(ex.Status, null);
                CancelCall();
            }
            catch (Exception ex) when (_outcome is null)
            {
                SettleLocally(ex, cancellationToken);
            }
        }
        var outcome = _outcome!;
        if (outcome.Status.StatusCode != StatusCode.OK)
        {
            throw new RpcException(outcome.Status, outcome.Trailers);
        }
        return null;
    }

    /// <summary>Reads exactly one response message (unary and client-streaming calls).</summary>
    public async Task<TResponse> ReadSingleAsync()
    {
        var response = await ReadNextAsync().ConfigureAwait(false)
            ?? throw new RpcException(new Status(StatusCode.Internal, "Failed to deserialize response message: the server sent OK without a message."), _outcome?.Trailers);
        if (await ReadNextAsync().ConfigureAwait(false) is not null)
        {
            Settle(new Status(StatusCode.Internal, "The server sent more than one response message to a call that expects one."), null);
            CancelCall();
            throw new RpcException(_outcome!.Status, _outcome.Trailers);
        }
        return response;
    }

    private void SettleFromTrailers()
    {
        var trailers = _response!.TrailingHeaders;
        if (TryReadStatus(trailers, out var status))
        {
            Settle(status, ReadMetadata(trailers));
        }
        else
        {
            Settle(new Status(StatusCode.Internal, "The server ended the call without a grpc-status."), ReadMetadata(trailers));
        }
    }

    /// <summary>Ends the call for a client-side reason and resets the stream so the server stops working on it.</summary>
    private void SettleLocally(Exception exception, CancellationToken readToken)
    {
        if (_response is not null && TryReadStatus(_response.TrailingHeaders, out var serverStatus))
        {
            // The server's word wins over whatever the transport said afterwards.
            Settle(serverStatus, ReadMetadata(_response.TrailingHeaders));
            return;
        }
        Settle(ClientStatus(exception, readToken), null);
        CancelCall();
    }

    /// <summary>The status of a client-side failure: deadline, cancellation or transport.</summary>
    private Status ClientStatus(Exception exception, CancellationToken readToken)
    {
        if (_deadlineSource is { IsCancellationRequested: true })
        {
            return new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
        }
        if (_options.CancellationToken.IsCancellationRequested)
        {
            return new Status(StatusCode.Cancelled, "Call canceled by the client.");
        }
        if (readToken.IsCancellationRequested)
        {
            return new Status(StatusCode.Cancelled, "The read was canceled by the client; the call is canceled with it.");
        }
        if (Volatile.Read(ref _disposed) == 1)
        {
            return new Status(StatusCode.Cancelled, "Call disposed before it finished.");
        }
        return StatusMapping.FromException(exception);
    }

    /// <summary>
    /// A request message could not be written. Report why the call ended: its settled status, the client's deadline
    /// or cancellation, or the server's early answer (it may end a call, e.g. past its deadline, while we still send).
    /// </summary>
    private async Task<Exception> OnRequestWriteFailureAsync(Exception exception)
    {
        if (_outcome is null && _deadlineSource is not { IsCancellationRequested: true } && !_options.CancellationToken.IsCancellationRequested)
        {
            try
            {
                var response = await _sendTask!.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                if (TryReadStatus(response.Headers, out var trailersOnly))
                {
                    _response ??= response;
                    Settle(trailersOnly, ReadMetadata(response.Headers));
                }
                else if (response.StatusCode == HttpStatusCode.OK)
                {
                    // The server answers normally but no longer reads our stream: its status arrives with the response.
                    return new RpcException(new Status(StatusCode.Cancelled, "The server stopped reading the request stream; read the response for the call's status."));
                }
            }
            catch (Exception)
            {
                // No response either: the transport failed; classified below.
            }
        }
        if (_outcome is { } settled)
        {
            return new RpcException(settled.Status, settled.Trailers);
        }
        return new RpcException(ClientStatus(exception, CancellationToken.None));
    }

    private void Settle(Status status, Metadata? trailers)
    {
        if (Interlocked.CompareExchange(ref _outcome, new Outcome(status, trailers ?? new Metadata()), null) is not null)
        {
            return;
        }
        _headers.TrySetResult(new Metadata());
        _requestContent?.Abandon();
    }

    /// <summary>Resets the HTTP/2 stream so the server's handler sees the cancellation.</summary>
    private void CancelCall()
    {
        try
        {
            // Before the response headers, cancelling the send resets the stream...
            _callSource.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed concurrently: the call is over anyway.
        }
        // ...after them the send has completed, and only disposing the unfinished response resets it.
        _response?.Dispose();
    }

    private static bool TryReadStatus(HttpHeaders headers, out Status status)
    {
        status = default;
        var raw = FirstValue(headers.NonValidated, GrpcProtocol.StatusHeader);
        if (raw is null)
        {
            return false;
        }
        if (!int.TryParse(raw, out var code))
        {
            status = new Status(StatusCode.Unknown, $"Unexpected grpc-status value '{raw}'.");
            return true;
        }
        var message = FirstValue(headers.NonValidated, GrpcProtocol.MessageHeader);
        status = new Status((StatusCode)code, StatusMessageEncoding.Decode(message));
        return true;
    }

    private static string? FirstValue(HttpHeadersNonValidated headers, string name)
    {
        if (headers.TryGetValues(name, out var values))
        {
            foreach (var value in values)
            {
                return value;
            }
        }
        return null;
    }

    private static Metadata ReadMetadata(HttpHeaders headers)
    {
        var metadata = new Metadata();
        foreach (var header in headers.NonValidated)
        {
            if (Metadata.IsReserved(header.Key))
            {
                continue;
            }
            foreach (var value in header.Value)
            {
                metadata.AddFromWire(header.Key, value);
            }
        }
        return metadata;
    }

    private static InvalidOperationException NotFinished() => new("The call has not finished yet: read its response or stream to the end first.");

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        if (_outcome is null)
        {
            // Abandoned mid-call: reset the stream so the server stops working for nobody.
            Settle(new Status(StatusCode.Cancelled, "Call disposed before it finished."), null);
            CancelCall();
        }
        _requestContent?.Abandon();
        _reader?.Complete();
        _response?.Dispose();
        _callSource.Dispose();
        _deadlineSource?.Dispose();
    }

    /// <summary>How the call ended; published once, atomically.</summary>
    private sealed record Outcome(Status Status, Metadata Trailers);
}

/// <summary>The parts of a call its wrappers expose once it has ended, without knowing its message types.</summary>
internal interface IClientCallOutcome : IDisposable
{
    Status GetStatus();

    Metadata GetTrailers();
}
