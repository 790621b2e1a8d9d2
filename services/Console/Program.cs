using Cascade.Hosting;

namespace Cascade.WebConsole;

/// <summary>
/// The web console as its own process (the distributed deployment): serves the page and forwards its API calls to the
/// services named in <c>Cascade:Console:Upstreams</c> (tye.yaml, deploy/); the live alert stream reads Monitoring at
/// <c>Cascade:Console:MonitoringAddress</c>, or else <c>Cascade:Services:monitoring</c>; the pipeline's figures
/// (<c>GET /v1/pipeline</c>, served here) come from the services' <c>/metrics</c> at <c>Cascade:Console:Pipeline:MetricsUrls</c>.
/// </summary>
internal static class Program
{
    public static Task<int> Main(string[] args) =>
        ServiceHost.RunAsync(args, [Contracts.Pipeline.V1.Pipeline.Descriptor.FullName], (services, _, host) => services.AddCascadeConsole(o =>
        {
            if (string.IsNullOrWhiteSpace(o.MonitoringAddress) && host.Services.TryGetValue("monitoring", out var monitoring)) o.MonitoringAddress = monitoring;
        }));
}
