using Cascade.Hosting;

namespace Cascade.WebConsole;

/// <summary>
/// The web console as its own process (the distributed deployment): serves the page and forwards its API calls to the
/// services named in <c>Cascade:Console:Upstreams</c> (tye.yaml, deploy/); the live alert stream reads Monitoring at
/// <c>Cascade:Console:MonitoringAddress</c>, or else <c>Cascade:Services:monitoring</c>.
/// </summary>
internal static class Program
{
    public static Task<int> Main(string[] args) =>
        ServiceHost.RunAsync(args, [], (services, _, host) => services.AddCascadeConsole(o =>
        {
            if (string.IsNullOrWhiteSpace(o.MonitoringAddress) && host.Services.TryGetValue("monitoring", out var monitoring)) o.MonitoringAddress = monitoring;
        }));
}
