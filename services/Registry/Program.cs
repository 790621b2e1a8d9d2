using Cascade.Hosting;
using Microsoft.Extensions.Logging;
using Cascade.Registry.Grpc;

namespace Cascade.Registry;

/// <summary>The Registry service as its own process (the distributed deployment): only this service, on the infrastructure its configuration names.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var options = ServiceHost.ReadOptions(args);
        await using var app = ServiceHost.Build(options, [RegistryMethods.ServiceName], (services, data) =>
        {
            services.AddCascadeRegistry(data);
        }, logging => logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }).SetMinimumLevel(LogLevel.Information));
        await app.RunAsync();
        return 0;
    }
}
