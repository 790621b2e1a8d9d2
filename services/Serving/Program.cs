using Cascade.Hosting;

namespace Cascade.Serving;

/// <summary>The Serving service as its own process (the distributed deployment): only this service, on the infrastructure its configuration names.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args) =>
        ServiceHost.RunAsync(args, [Contracts.Serving.V1.Serving.Descriptor.FullName, Inference.GRPCInferenceService.Descriptor.FullName], (services, data, _) => services.AddCascadeServing(Path.Combine(data, "serving")));
}
