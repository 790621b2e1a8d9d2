using Cascade.Hosting.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Cascade.Hosting.Tests.Tls;

/// <summary>A service host with no service modules (health, reflection, the HTTP endpoints) on ephemeral ports, with TLS as given.</summary>
internal sealed class TlsHost : IAsyncDisposable
{
    private readonly string _data;

    private TlsHost(WebApplication app, string data, string grpc, string http)
    {
        App = app;
        _data = data;
        Grpc = grpc;
        Http = http;
    }

    public WebApplication App { get; }

    /// <summary>The gRPC port's address (<c>https://127.0.0.1:port</c> with TLS).</summary>
    public string Grpc { get; }

    public string Http { get; }

    public static async Task<TlsHost> StartAsync(TlsOptions tls, ILoggerProvider? log = null, string[]? args = null)
    {
        var data = Directory.CreateTempSubdirectory("cascade-tls-host-").FullName;
        try
        {
            // The settings an operator would give (environment, command line), then this test's ports, folder and TLS.
            var options = ServiceHost.ReadOptions(args ?? []);
            options.GrpcPort = 0;
            options.HttpPort = 0;
            options.DataDirectory = data;
            options.Tls = tls;
            var app = ServiceHost.Build(options, [], (_, _) => { }, logging =>
            {
                if (log is not null) logging.AddProvider(log).SetMinimumLevel(LogLevel.Trace);
            }, args);
            await app.StartAsync();
            var (grpc, http) = ServiceHost.GetAddresses(app, options.BindAddress);
            return new TlsHost(app, data, grpc, http);
        }
        catch
        {
            // A host the test expects to be refused leaves nothing behind.
            Directory.Delete(data, recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
