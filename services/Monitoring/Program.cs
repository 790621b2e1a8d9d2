using Cascade.Hosting;
using Cascade.Monitoring.Grpc;

namespace Cascade.Monitoring;

/// <summary>The Monitoring service as its own process (the distributed deployment): only this service, on the infrastructure its configuration names.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args) =>
        ServiceHost.RunAsync(args, [Contracts.Monitoring.V1.Monitoring.Descriptor.FullName], (services, data, _) => services.AddCascadeMonitoring(o => o.DatabasePath = Path.Combine(data, "monitoring.db")));
}
