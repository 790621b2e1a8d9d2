using Cascade.Hosting;
using Cascade.Registry.Grpc;

namespace Cascade.Registry;

/// <summary>The Registry service as its own process (the distributed deployment): only this service, on the infrastructure its configuration names.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args) =>
        ServiceHost.RunAsync(args, [Contracts.Registry.V1.Registry.Descriptor.FullName], (services, data, _) => services.AddCascadeRegistry(data));
}
