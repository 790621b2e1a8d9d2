using System.Collections.Concurrent;
using Cascade.Contracts;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;

namespace Cascade.Hosting.Tests;

/// <summary>
/// A service process logs at Information, but not one line per request: ASP.NET Core's request logs cost the serving
/// process more than its predictions. An operator who wants them back sets the usual logging key.
/// </summary>
public sealed class RequestLoggingTests
{
    [Fact]
    public async Task Requests_are_not_logged_by_default()
    {
        var categories = await CategoriesLoggedDuringOneCallAsync([]);

        categories.Should().Contain("Microsoft.Hosting.Lifetime", "the process still says it started");
        categories.Should().NotContain(c => c.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_logging_setting_brings_request_logs_back()
    {
        var categories = await CategoriesLoggedDuringOneCallAsync(["--Logging:LogLevel:Microsoft.AspNetCore=Information"]);

        categories.Should().Contain("Microsoft.AspNetCore.Hosting.Diagnostics");
    }

    private static async Task<IReadOnlyCollection<string>> CategoriesLoggedDuringOneCallAsync(string[] args)
    {
        var data = Directory.CreateTempSubdirectory("cascade-request-logs-").FullName;
        var provider = new CategoryRecorder();
        try
        {
            var options = new ServiceHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = data };
            await using var host = ServiceHost.Build(options, [], (_, _) => { },
                logging => logging.AddProvider(provider).SetMinimumLevel(LogLevel.Information), args);
            await host.StartAsync();
            var (grpc, _) = ServiceHost.GetAddresses(host, options.BindAddress);
            using var channel = GrpcChannel.ForAddress(grpc);
            await new global::Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), GrpcCalls.Within(TimeSpan.FromSeconds(30)));
            await host.StopAsync();
            return provider.Categories.Keys.ToArray();
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Records the category of every entry that passed the host's filters.</summary>
    private sealed class CategoryRecorder : ILoggerProvider
    {
        public ConcurrentDictionary<string, bool> Categories { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, Categories);

        public void Dispose() { }

        private sealed class Recorder(string category, ConcurrentDictionary<string, bool> categories) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                categories[category] = true;
        }
    }
}
