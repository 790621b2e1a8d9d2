using Cascade.Hosting;
using Cascade.Ingestion.Grpc;

namespace Cascade.Ingestion;

/// <summary>The Ingestion service as its own process (the distributed deployment): only this service, on the infrastructure its configuration names.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args) =>
        ServiceHost.RunAsync(args, [Contracts.Ingestion.V1.Ingestion.Descriptor.FullName], (services, data, _) => services.AddCascadeIngestion(o => o.DatabasePath = Path.Combine(data, "ingestion.db")));
}
