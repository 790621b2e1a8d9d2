using Cascade.Hosting;
using Microsoft.Extensions.Logging;
using Cascade.Monitoring.Grpc;

namespace Cascade.Monitoring;

/// <summary>The Monitoring service as its own process (the distributed deployment): only this service, on the infrastructure its configuration names.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var options = ServiceHost.ReadOptions(args);
        await using var app = ServiceHost.Build(options, [MonitoringMethods.ServiceName], (services, data) =>
        {
            services.AddCascadeMonitoring(o => o.DatabasePath = Path.Combine(data, "monitoring.db"));
        }, logging => logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }).SetMinimumLevel(LogLevel.Information));
        await app.RunAsync();
        return 0;
    }
}
