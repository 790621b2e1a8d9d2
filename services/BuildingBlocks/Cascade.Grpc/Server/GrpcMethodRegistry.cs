using System.Collections.Frozen;

namespace Cascade.Grpc.Server;

/// <summary>The bound methods of every registered <see cref="IGrpcService"/>, frozen for fast lookup by path.</summary>
public sealed class GrpcMethodRegistry
{
    private readonly FrozenDictionary<string, ServerMethodInvoker> _methods;

    public GrpcMethodRegistry(IEnumerable<IGrpcService> services)
    {
        var binder = new GrpcServiceBinder();
        foreach (var service in services)
        {
            service.Bind(binder);
        }
        _methods = binder.Methods.ToFrozenDictionary(StringComparer.Ordinal);
        ServiceNames = binder.ServiceNames;
    }

    /// <summary>Fully qualified names of the services with bound methods.</summary>
    public IReadOnlyCollection<string> ServiceNames { get; }

    /// <summary>The paths of every bound method.</summary>
    public IEnumerable<string> MethodPaths => _methods.Keys;

    internal IEnumerable<KeyValuePair<string, ServerMethodInvoker>> Methods => _methods;

    internal bool TryGet(string path, out ServerMethodInvoker invoker) => _methods.TryGetValue(path, out invoker!);
}
