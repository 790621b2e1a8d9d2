using Google.Protobuf;

namespace Cascade.Grpc;

/// <summary>
/// Describes one gRPC method: its service, name, kind and message types. Written once per method and
/// shared by the server (to bind a handler) and the client (to call it).
/// </summary>
public sealed class Method<TRequest, TResponse>
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public Method(MethodType type, string serviceName, string name, MessageParser<TRequest> requestParser, MessageParser<TResponse> responseParser)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(requestParser);
        ArgumentNullException.ThrowIfNull(responseParser);
        if (serviceName.Contains('/') || name.Contains('/'))
        {
            throw new ArgumentException($"Service '{serviceName}' and method '{name}' must not contain '/': the path is built as /service/method.");
        }
        Type = type;
        ServiceName = serviceName;
        Name = name;
        FullName = $"/{serviceName}/{name}";
        RequestParser = requestParser;
        ResponseParser = responseParser;
    }

    /// <summary>The kind of method.</summary>
    public MethodType Type { get; }

    /// <summary>Fully qualified service name, e.g. <c>grpc.health.v1.Health</c>.</summary>
    public string ServiceName { get; }

    /// <summary>Method name, e.g. <c>Check</c>.</summary>
    public string Name { get; }

    /// <summary>The HTTP/2 path, <c>/service/method</c>.</summary>
    public string FullName { get; }

    /// <summary>Parses requests.</summary>
    public MessageParser<TRequest> RequestParser { get; }

    /// <summary>Parses responses.</summary>
    public MessageParser<TResponse> ResponseParser { get; }

    public override string ToString() => FullName;
}
