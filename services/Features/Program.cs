using Cascade.Hosting;
using Cascade.Features.Grpc;

namespace Cascade.Features;

/// <summary>The Features service as its own process (the distributed deployment): only this service, on the infrastructure its configuration names.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args) =>
        ServiceHost.RunAsync(args, [Contracts.Features.V1.Features.Descriptor.FullName], (services, data, _) => services.AddCascadeFeatures(data));
}
