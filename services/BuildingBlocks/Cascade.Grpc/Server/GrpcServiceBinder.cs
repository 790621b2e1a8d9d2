using Google.Protobuf;

namespace Cascade.Grpc.Server;

/// <summary>Collects the methods services bind; the dispatcher routes requests by their <c>/service/method</c> path.</summary>
/// <remarks>
/// Bind with a shared <see cref="Method{TRequest, TResponse}"/> descriptor when clients call the method too;
/// the overloads taking a service and method name build the descriptor for you.
/// </remarks>
public sealed class GrpcServiceBinder
{
    private readonly Dictionary<string, ServerMethodInvoker> _methods = new(StringComparer.Ordinal);

    /// <summary>Binds a unary method.</summary>
    public GrpcServiceBinder Unary<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse> =>
        Add(method, MethodType.Unary, handler, () => new UnaryInvoker<TRequest, TResponse>(method, handler));

    /// <summary>Binds a server-streaming method.</summary>
    public GrpcServiceBinder ServerStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse> =>
        Add(method, MethodType.ServerStreaming, handler, () => new ServerStreamingInvoker<TRequest, TResponse>(method, handler));

    /// <summary>Binds a client-streaming method.</summary>
    public GrpcServiceBinder ClientStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse> =>
        Add(method, MethodType.ClientStreaming, handler, () => new ClientStreamingInvoker<TRequest, TResponse>(method, handler));

    /// <summary>Binds a bidirectional-streaming method.</summary>
    public GrpcServiceBinder DuplexStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse> =>
        Add(method, MethodType.DuplexStreaming, handler, () => new DuplexStreamingInvoker<TRequest, TResponse>(method, handler));

    /// <summary>Binds a unary method by name, e.g. <c>Unary("grpc.health.v1.Health", "Check", HealthCheckRequest.Parser, CheckAsync)</c>.</summary>
    public GrpcServiceBinder Unary<TRequest, TResponse>(string serviceName, string methodName, MessageParser<TRequest> requestParser, UnaryServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>, new() =>
        Unary(Describe<TRequest, TResponse>(MethodType.Unary, serviceName, methodName, requestParser), handler);

    /// <summary>Binds a server-streaming method by name.</summary>
    public GrpcServiceBinder ServerStreaming<TRequest, TResponse>(string serviceName, string methodName, MessageParser<TRequest> requestParser, ServerStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>, new() =>
        ServerStreaming(Describe<TRequest, TResponse>(MethodType.ServerStreaming, serviceName, methodName, requestParser), handler);

    /// <summary>Binds a client-streaming method by name.</summary>
    public GrpcServiceBinder ClientStreaming<TRequest, TResponse>(string serviceName, string methodName, MessageParser<TRequest> requestParser, ClientStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>, new() =>
        ClientStreaming(Describe<TRequest, TResponse>(MethodType.ClientStreaming, serviceName, methodName, requestParser), handler);

    /// <summary>Binds a bidirectional-streaming method by name.</summary>
    public GrpcServiceBinder DuplexStreaming<TRequest, TResponse>(string serviceName, string methodName, MessageParser<TRequest> requestParser, DuplexStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>, new() =>
        DuplexStreaming(Describe<TRequest, TResponse>(MethodType.DuplexStreaming, serviceName, methodName, requestParser), handler);

    /// <summary>The services that have bound at least one method.</summary>
    public IReadOnlyCollection<string> ServiceNames
    {
        get
        {
            var names = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var path in _methods.Keys)
            {
                names.Add(path[1..path.IndexOf('/', 1)]);
            }
            return names;
        }
    }

    internal IReadOnlyDictionary<string, ServerMethodInvoker> Methods => _methods;

    // The server never parses responses; the parser only completes the descriptor.
    private static Method<TRequest, TResponse> Describe<TRequest, TResponse>(MethodType type, string serviceName, string methodName, MessageParser<TRequest> requestParser)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>, new() =>
        new(type, serviceName, methodName, requestParser, new MessageParser<TResponse>(static () => new TResponse()));

    private GrpcServiceBinder Add<TRequest, TResponse>(Method<TRequest, TResponse> method, MethodType expected, Delegate handler, Func<ServerMethodInvoker> createInvoker)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(handler);
        if (method.Type != expected)
        {
            throw new ArgumentException($"Method {method.FullName} is declared {method.Type} but bound as {expected}: bind it with binder.{method.Type}(...).", nameof(method));
        }
        if (!_methods.TryAdd(method.FullName, createInvoker()))
        {
            throw new InvalidOperationException($"Method {method.FullName} is bound twice: each method may have one handler.");
        }
        return this;
    }
}
