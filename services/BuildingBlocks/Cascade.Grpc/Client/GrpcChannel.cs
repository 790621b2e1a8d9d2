using System.Collections.Concurrent;
using System.Net.Http;
using Google.Protobuf;

namespace Cascade.Grpc.Client;

/// <summary>
/// A client connection to one gRPC server, over <see cref="HttpMessageInvoker"/> and
/// <see cref="SocketsHttpHandler"/> (HTTP/2 only). Thread-safe; create one per server and reuse it.
/// </summary>
public sealed class GrpcChannel : IDisposable
{
    private readonly bool _ownsHandler;
    private readonly string _baseAddress;
    // Parsing a Uri per call is measurable on the hot path; a channel calls few distinct methods.
    private readonly ConcurrentDictionary<string, Uri> _methodUris = new(StringComparer.Ordinal);

    private GrpcChannel(Uri address, GrpcChannelOptions options)
    {
        Options = options;
        _baseAddress = address.GetLeftPart(UriPartial.Authority);
        var handler = options.HttpHandler;
        _ownsHandler = handler is null;
        handler ??= new SocketsHttpHandler
        {
            // Without it, calls beyond the server's stream limit (100 by default) queue behind each other.
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = options.KeepAlivePingDelay,
            KeepAlivePingTimeout = options.KeepAlivePingTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            ConnectTimeout = options.ConnectTimeout,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        };
        // HttpMessageInvoker rather than HttpClient: HttpClient's 100 s default timeout would kill long streams.
        Invoker = new HttpMessageInvoker(handler, disposeHandler: _ownsHandler);
    }

    /// <summary>Creates a channel to <c>http://host:port</c> (cleartext HTTP/2 with prior knowledge).</summary>
    public static GrpcChannel ForAddress(string address, GrpcChannelOptions? options = null)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"'{address}' is not an http:// or https:// address.", nameof(address));
        }
        options ??= new GrpcChannelOptions();
        options.Validate();
        return new GrpcChannel(uri, options);
    }

    /// <summary>The channel's options.</summary>
    public GrpcChannelOptions Options { get; }

    internal HttpMessageInvoker Invoker { get; }

    internal Uri MethodUri(string fullName) =>
        _methodUris.GetOrAdd(fullName, static (path, baseAddress) => new Uri(baseAddress + path), _baseAddress);

    /// <summary>Starts a unary call.</summary>
    public AsyncUnaryCall<TResponse> UnaryAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var call = new ClientCall<TRequest, TResponse>(this, method, options);
        call.StartUnaryRequest(request);
        var response = ReadAndDisposeAsync(call);
        return new AsyncUnaryCall<TResponse>(response, call.ResponseHeadersAsync, call);
    }

    /// <summary>Starts a server-streaming call.</summary>
    public ServerStreamingCall<TRequest, TResponse> ServerStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var call = new ClientCall<TRequest, TResponse>(this, method, options);
        call.StartUnaryRequest(request);
        return new ServerStreamingCall<TRequest, TResponse>(call);
    }

    /// <summary>Starts a client-streaming call.</summary>
    public ClientStreamingCall<TRequest, TResponse> ClientStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var call = new ClientCall<TRequest, TResponse>(this, method, options);
        call.StartStreamingRequest();
        return new ClientStreamingCall<TRequest, TResponse>(call);
    }

    /// <summary>Starts a bidirectional-streaming call.</summary>
    public DuplexStreamingCall<TRequest, TResponse> DuplexStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var call = new ClientCall<TRequest, TResponse>(this, method, options);
        call.StartStreamingRequest();
        return new DuplexStreamingCall<TRequest, TResponse>(call);
    }

    private static async Task<TResponse> ReadAndDisposeAsync<TRequest, TResponse>(ClientCall<TRequest, TResponse> call)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        try
        {
            return await call.ReadSingleAsync().ConfigureAwait(false);
        }
        finally
        {
            // Unary calls release their HTTP resources as soon as they end; status and trailers stay readable.
            call.Dispose();
        }
    }

    public void Dispose() => Invoker.Dispose();
}
