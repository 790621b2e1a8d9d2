using Google.Protobuf;

namespace Cascade.Grpc.Server;

/// <summary>Collects the methods services bind; the dispatcher routes requests by their <c>/service/method</c> path.</summary>
public sealed class GrpcServiceBinder
{
    private readonly Dictionary<string, ServerMethodInvoker> _methods = new(StringComparer.Ordinal);

    /// <summary>Binds a unary method.</summary>
    public GrpcServiceBinder Unary<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse> =>
        Add(method, MethodType.Unary, new UnaryInvoker<TRequest, TResponse>(method, handler));

    /// <summary>Binds a server-streaming method.</summary>
    public GrpcServiceBinder ServerStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse> =>
        Add(method, MethodType.ServerStreaming, new ServerStreamingInvoker<TRequest, TResponse>(method, handler));

    /// <summary>Binds a client-streaming method.</summary>
    public GrpcServiceBinder ClientStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse> =>
        Add(method, MethodType.ClientStreaming, new ClientStreamingInvoker<TRequest, TResponse>(method, handler));

    /// <summary>Binds a bidirectional-streaming method.</summary>
    public GrpcServiceBinder DuplexStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse> =>
        Add(method, MethodType.DuplexStreaming, new DuplexStreamingInvoker<TRequest, TResponse>(method, handler));

    /// <summary>The services that have bound at least one method.</summary>
    public IReadOnlyCollection<string> ServiceNames => _methods.Values.Select(m => m.FullName.Split('/')[1]).Distinct().ToArray();

    internal IReadOnlyDictionary<string, ServerMethodInvoker> Methods => _methods;

    private GrpcServiceBinder Add<TRequest, TResponse>(Method<TRequest, TResponse> method, MethodType expected, ServerMethodInvoker invoker)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
    {
        if (method.Type != expected)
        {
            throw new ArgumentException($"Method {method.FullName} is declared {method.Type} but bound as {expected}.", nameof(method));
        }
        if (!_methods.TryAdd(method.FullName, invoker))
        {
            throw new InvalidOperationException($"Method {method.FullName} is bound twice.");
        }
        return this;
    }
}
