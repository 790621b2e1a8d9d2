using Cascade.Hosting.Grpc;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cascade.Hosting.Tests;

/// <summary>
/// The framework's failed write into a stream the client reset is logged at Debug; every other error keeps its level.
/// (The race itself cannot be produced on demand: the live fuzz campaign meets it about 7 times in 100,000 cases.)
/// </summary>
public sealed class ClientResetLoggingTests
{
    [Fact]
    public void A_write_error_of_a_request_whose_client_aborted_is_logged_at_debug()
    {
        var (factory, entries, accessor) = Build();
        var logger = factory.CreateLogger(ClientResetLogging.CallHandlerCategory);
        using var aborted = new CancellationTokenSource();
        accessor.HttpContext = new DefaultHttpContext { RequestAborted = aborted.Token };

        logger.LogError(new InvalidOperationException("Writing is not allowed after writer was completed."), "Error when executing service method 'ListJobs'.");
        aborted.Cancel();
        logger.LogError(new InvalidOperationException("Invalid ordering of calling StartAsync or CompleteAsync and Advance."), "Error when executing service method 'ListModels'.");

        entries.Select(e => e.Level).Should().Equal([LogLevel.Error, LogLevel.Debug], "the same exception while the client is still there is ours, and stays an error");
        entries[1].Message.Should().Contain("ListModels", "the entry itself is kept, at Debug");
    }

    [Fact]
    public void A_write_error_of_a_call_past_its_deadline_is_logged_at_debug()
    {
        var (factory, entries, accessor) = Build();
        var logger = factory.CreateLogger(ClientResetLogging.CallHandlerCategory);

        accessor.HttpContext = WithCall(new TestServerCallContext(CancellationToken.None, DateTime.UtcNow.AddMinutes(1)));
        logger.LogError(new InvalidOperationException("Invalid ordering of calling StartAsync or CompleteAsync and Advance."), "Error when executing service method 'GetAuditLog'.");
        accessor.HttpContext = WithCall(new TestServerCallContext(CancellationToken.None, DateTime.UtcNow.AddSeconds(-1)));
        logger.LogError(new InvalidOperationException("Invalid ordering of calling StartAsync or CompleteAsync and Advance."), "Error when executing service method 'ListModelVersions'.");

        entries.Select(e => e.Level).Should().Equal([LogLevel.Error, LogLevel.Debug], "only the call whose deadline had passed was ended by the framework");
    }

    private static DefaultHttpContext WithCall(global::Grpc.Core.ServerCallContext call)
    {
        var context = new DefaultHttpContext();
        context.Features.Set<global::Grpc.AspNetCore.Server.IServerCallContextFeature>(new CallFeature(call));
        return context;
    }

    private sealed class CallFeature(global::Grpc.Core.ServerCallContext call) : global::Grpc.AspNetCore.Server.IServerCallContextFeature
    {
        public global::Grpc.Core.ServerCallContext ServerCallContext => call;
    }

    [Fact]
    public void Other_errors_and_other_categories_keep_their_level_even_after_the_client_left()
    {
        var (factory, entries, accessor) = Build();
        using var aborted = new CancellationTokenSource();
        aborted.Cancel();
        accessor.HttpContext = new DefaultHttpContext { RequestAborted = aborted.Token };

        factory.CreateLogger(ClientResetLogging.CallHandlerCategory).LogError(new FormatException("bad"), "Error when executing service method 'Predict'.");
        factory.CreateLogger("Cascade.Serving").LogError(new InvalidOperationException("x"), "ours");
        accessor.HttpContext = null;
        factory.CreateLogger(ClientResetLogging.CallHandlerCategory).LogError(new InvalidOperationException("x"), "outside a request");

        entries.Select(e => e.Level).Should().Equal(LogLevel.Error, LogLevel.Error, LogLevel.Error);
    }

    [Fact]
    public void Adding_it_twice_wraps_the_factory_once_and_loggers_still_resolve()
    {
        var services = new ServiceCollection();
        ClientResetLogging.Add(services);
        ClientResetLogging.Add(services);

        services.Count(d => d.ServiceType == typeof(ILoggerFactory)).Should().Be(1);
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<ILogger<ClientResetLoggingTests>>().Should().NotBeNull();
    }

    private static (ILoggerFactory Factory, List<(LogLevel Level, string Message)> Entries, IHttpContextAccessor Accessor) Build()
    {
        var entries = new List<(LogLevel, string)>();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new ListProvider(entries)));
        ClientResetLogging.Add(services);
        var provider = services.BuildServiceProvider();
        return (provider.GetRequiredService<ILoggerFactory>(), entries, provider.GetRequiredService<IHttpContextAccessor>());
    }

    private sealed class ListProvider(List<(LogLevel, string)> entries) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ListLogger(entries);

        public void Dispose()
        {
        }
    }

    private sealed class ListLogger(List<(LogLevel, string)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Add((logLevel, formatter(state, exception)));
    }
}
