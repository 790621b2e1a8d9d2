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
internal sealed class ClientCall<TRequest, TResponse> : IDisposable
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private static readonly MediaTypeWithQualityHeaderValue GrpcMediaType = new(GrpcProtocol.ContentType);
    private readonly GrpcChannel _channel;
    private readonly Method<TRequest, TResponse> _method;
    private readonly CallOptions _options;
    private readonly CancellationTokenSource _callSource;
    private readonly CancellationTokenSource? _deadlineSource;
    private readonly TaskCompletionSource<Metadata> _headers = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task<HttpResponseMessage>? _sendTask;
    private HttpResponseMessage? _response;
    private PipeReader? _reader;
    private string? _responseEncoding;
    private Status? _status;
    private Metadata _trailers = new();
    private StreamingRequestContent<TRequest>? _requestContent;
    private int _disposed;

    public ClientCall(GrpcChannel channel, Method<TRequest, TResponse> method, CallOptions options)
    {
        _channel = channel;
        _method = method;
        _options = options;
        if (options.Deadline is { } deadline && deadline != DateTime.MaxValue)
        {
            var remaining = deadline.ToUniversalTime() - DateTime.UtcNow;
            _deadlineSource = new CancellationTokenSource(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
        }
        _callSource = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken, _deadlineSource?.Token ?? CancellationToken.None);
    }

    public Task<Metadata> ResponseHeadersAsync => _headers.Task;

    public IClientStreamWriter<TRequest> RequestStream => _requestContent ?? throw new InvalidOperationException("This call has no request stream.");

    /// <summary>The final status; throws if the call has not ended.</summary>
    public Status GetStatus() => _status ?? throw new InvalidOperationException("The call has not finished yet.");

    /// <summary>Trailing metadata; throws if the call has not ended.</summary>
    public Metadata GetTrailers() => _status is null ? throw new InvalidOperationException("The call has not finished yet.") : _trailers;

    /// <summary>Starts a call with a single request message.</summary>
    public void StartUnaryRequest(TRequest request)
    {
        var content = new ByteArrayContent(MessageFraming.ToFrame(request, _channel.Options.MaxSendMessageSize));
        content.Headers.ContentType = new MediaTypeHeaderValue(GrpcProtocol.ContentType);
        Start(content);
    }

    /// <summary>Starts a call whose request is a stream the caller writes to.</summary>
    public void StartStreamingRequest()
    {
        _requestContent = new StreamingRequestContent<TRequest>(_channel.Options.MaxSendMessageSize, _callSource.Token, OnRequestWriteFailureAsync);
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
        headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        headers.TryAddWithoutValidation("user-agent", GrpcProtocol.UserAgent);
        headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, GrpcProtocol.SupportedEncodings);
        if (_options.Deadline is { } deadline && deadline != DateTime.MaxValue)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcTimeout.Format(deadline.ToUniversalTime() - DateTime.UtcNow));
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
    private async ValueTask<bool> EnsureResponseAsync()
    {
        if (_reader is not null)
        {
            return true;
        }
        if (_status is not null)
        {
            return false;
        }
        HttpResponseMessage response;
        try
        {
            response = await _sendTask!.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Settle(ClientStatus(ex), null);
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
        var contentType = response.Content.Headers.ContentType?.MediaType;
        if (!GrpcProtocol.IsGrpcContentType(contentType))
        {
            Settle(new Status(StatusCode.Internal, $"Bad gRPC response. Invalid content-type value: {contentType ?? "(none)"}"), null);
            return false;
        }
        _responseEncoding = response.Headers.TryGetValues(GrpcProtocol.EncodingHeader, out var encodings) ? encodings.FirstOrDefault() : null;
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(_callSource.Token).ConfigureAwait(false);
            _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        }
        catch (Exception ex)
        {
            Settle(ClientStatus(ex), null);
            return false;
        }
        return true;
    }

    /// <summary>Reads the next response message, or null once the server ended the stream with OK.</summary>
    /// <exception cref="RpcException">The call ended with a non-OK status.</exception>
    public async ValueTask<TResponse?> ReadNextAsync(CancellationToken cancellationToken = default)
    {
        if (await EnsureResponseAsync().ConfigureAwait(false))
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
            catch (RpcException ex) when (_status is null)
            {
                // A local protocol failure (oversize message, bad frame): cancel the rest of the call.
                Settle(ex.Status, null);
                _callSource.Cancel();
            }
            catch (Exception ex) when (_status is null)
            {
                Settle(ClientStatus(ex), null);
            }
        }
        var status = _status!.Value;
        if (status.StatusCode != StatusCode.OK)
        {
            throw new RpcException(status, _trailers);
        }
        return null;
    }

    /// <summary>Reads exactly one response message (unary and client-streaming calls).</summary>
    public async Task<TResponse> ReadSingleAsync()
    {
        var response = await ReadNextAsync().ConfigureAwait(false);
        if (response is null)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Failed to deserialize response message: the server sent OK without a message."), _trailers);
        }
        if (await ReadNextAsync().ConfigureAwait(false) is not null)
        {
            throw new RpcException(StatusCode.Internal, "The server sent more than one response message to a unary call.");
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

    /// <summary>The status of a client-side failure: the server's status if one arrived, else deadline/cancel/transport.</summary>
    private Status ClientStatus(Exception exception)
    {
        if (_response is not null && TryReadStatus(_response.TrailingHeaders, out var serverStatus))
        {
            _trailers = ReadMetadata(_response.TrailingHeaders);
            return serverStatus;
        }
        if (_deadlineSource is { IsCancellationRequested: true })
        {
            return new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
        }
        if (_options.CancellationToken.IsCancellationRequested)
        {
            return new Status(StatusCode.Cancelled, "Call canceled by the client.");
        }
        return StatusMapping.FromException(exception);
    }

    /// <summary>
    /// A request message could not be written. Report why the call ended: its settled status, the client's deadline
    /// or cancellation, or the server's early answer (it may end a call, e.g. past its deadline, while we still send).
    /// </summary>
    private async Task<Exception> OnRequestWriteFailureAsync(Exception exception)
    {
        if (_status is null && _deadlineSource is not { IsCancellationRequested: true } && !_options.CancellationToken.IsCancellationRequested)
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
        if (_status is { } settled)
        {
            return new RpcException(settled, _trailers);
        }
        return new RpcException(ClientStatus(exception));
    }

    private void Settle(Status status, Metadata? trailers)
    {
        if (_status is not null)
        {
            return;
        }
        _trailers = trailers ?? new Metadata();
        _status = status;
        _headers.TrySetResult(new Metadata());
        _requestContent?.Abandon();
    }

    private static bool TryReadStatus(HttpHeaders headers, out Status status)
    {
        status = default;
        if (!headers.TryGetValues(GrpcProtocol.StatusHeader, out var values))
        {
            return false;
        }
        var raw = values.FirstOrDefault();
        if (!int.TryParse(raw, out var code))
        {
            status = new Status(StatusCode.Unknown, $"Unexpected grpc-status value '{raw}'.");
            return true;
        }
        var message = headers.TryGetValues(GrpcProtocol.MessageHeader, out var messages) ? StatusMessageEncoding.Decode(messages.FirstOrDefault()) : string.Empty;
        status = new Status((StatusCode)code, message);
        return true;
    }

    private static Metadata ReadMetadata(HttpHeaders headers)
    {
        var metadata = new Metadata();
        foreach (var header in headers)
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

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        if (_status is null)
        {
            // Abandoned mid-call: reset the stream so the server stops working for nobody.
            Settle(new Status(StatusCode.Cancelled, "Call disposed before it finished."), null);
            _callSource.Cancel();
        }
        _requestContent?.Abandon();
        _reader?.Complete();
        _response?.Dispose();
        _callSource.Dispose();
        _deadlineSource?.Dispose();
    }
}
