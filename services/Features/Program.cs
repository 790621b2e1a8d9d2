using Cascade.Hosting;
using Cascade.Hosting.Security;
using Cascade.Hosting.Tls;
using Microsoft.Extensions.DependencyInjection;

namespace Cascade.Features;

/// <summary>
/// The Features service as its own process (the distributed deployment): only this service, on the infrastructure its
/// configuration names. Offline retention asks the Registry's gRPC API (<c>Cascade:Services:registry</c>) which
/// model versions keep their training rows.
/// </summary>
internal static class Program
{
    public static Task<int> Main(string[] args) =>
        ServiceHost.RunAsync(args, [Contracts.Features.V1.Features.Descriptor.FullName], (services, data, options) =>
        {
            var registry = options.Services.TryGetValue("registry", out var address) ? address : "http://127.0.0.1:50054";
            services.AddGrpcClient<Contracts.Registry.V1.Registry.RegistryClient>(o => o.Address = new Uri(registry)).AddCascadeServiceCredentials().UseCascadeTls(options.Tls);
            services.AddCascadeFeatures(data);
        });
}
