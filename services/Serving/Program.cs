using Cascade.Hosting;
using Microsoft.Extensions.Logging;
using Cascade.Serving.Grpc;

namespace Cascade.Serving;

/// <summary>The Serving service as its own process (the distributed deployment): only this service, on the infrastructure its configuration names.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var options = ServiceHost.ReadOptions(args);
        await using var app = ServiceHost.Build(options, [ServingMethods.ServiceName, ServingMethods.InferenceServiceName], (services, data) =>
        {
            services.AddCascadeServing(Path.Combine(data, "serving"));
        }, logging => logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }).SetMinimumLevel(LogLevel.Information));
        await app.RunAsync();
        return 0;
    }
}
