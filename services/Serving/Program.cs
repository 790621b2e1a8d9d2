using Cascade.Hosting;
using Cascade.Serving.Grpc;

namespace Cascade.Serving;

/// <summary>The Serving service as its own process (the distributed deployment): only this service, on the infrastructure its configuration names.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args) =>
        ServiceHost.RunAsync(args, [ServingMethods.ServiceName, ServingMethods.InferenceServiceName], (services, data, _) => services.AddCascadeServing(Path.Combine(data, "serving")));
}
