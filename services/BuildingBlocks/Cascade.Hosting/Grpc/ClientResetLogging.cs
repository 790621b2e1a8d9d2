using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Cascade.Hosting.Grpc;

/// <summary>
/// Logs Grpc.AspNetCore's failure to write a response into a stream its client has already reset at Debug, not Error.
/// <see cref="ClientCancellation"/> stops a handler's response when it sees the client gone, but the reset can still
/// arrive between that look and the framework's own write of the message, which then throws
/// <see cref="InvalidOperationException"/> inside Kestrel ("Writing is not allowed after writer was completed",
/// "Invalid ordering of calling StartAsync or CompleteAsync and Advance") and is logged as "Error when executing service
/// method". Nothing is lost (the client is gone and reads no answer) and nothing of ours failed; Grpc.AspNetCore offers no
/// hook after its write (grpc/grpc-dotnet#783), so the decision is made where it logs: an
/// <see cref="InvalidOperationException"/> from the call handler of a request whose client has aborted is a client reset.
/// The same happens when the call's deadline passes as the handler returns: Grpc.AspNetCore answers DEADLINE_EXCEEDED
/// and completes the response, then serialises the handler's answer into it (run 11 of the campaign: 2 in 100,000), so
/// a call past its deadline counts as ended too. Every other error, and the same exception while the call is alive,
/// keeps its level. The live fuzz campaign found 7 in 100,000 cases (docs/security.md).
/// </summary>
public static class ClientResetLogging
{
    /// <summary>The category Grpc.AspNetCore logs handler errors under.</summary>
    public const string CallHandlerCategory = "Grpc.AspNetCore.Server.ServerCallHandler";

    /// <summary>Wraps the host's logger factory (registered by <c>AddLogging</c>, which every host has called by now).</summary>
    public static IServiceCollection Add(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(Factory))) return services; // added already
        services.AddSingleton<Factory>(sp => new Factory(ActivatorUtilities.CreateInstance<LoggerFactory>(sp), sp.GetRequiredService<IHttpContextAccessor>()));
        services.AddHttpContextAccessor();
        services.AddLogging();
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp => sp.GetRequiredService<Factory>()));
        return services;
    }

    /// <summary>Whether an entry is a response write into a stream the client already reset, or that the deadline ended.</summary>
    public static bool IsClientReset(string category, LogLevel level, Exception? exception, HttpContext? context) =>
        level >= LogLevel.Error && exception is InvalidOperationException && category == CallHandlerCategory
        && context is not null && (context.RequestAborted.IsCancellationRequested || DeadlinePassed(context));

    private static bool DeadlinePassed(HttpContext context) =>
        context.Features.Get<global::Grpc.AspNetCore.Server.IServerCallContextFeature>()?.ServerCallContext is { } call
        && (call.CancellationToken.IsCancellationRequested || call.Deadline <= DateTime.UtcNow);

    private sealed class Factory(ILoggerFactory inner, IHttpContextAccessor accessor) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) =>
            categoryName == CallHandlerCategory ? new Logger(inner.CreateLogger(categoryName), categoryName, accessor) : inner.CreateLogger(categoryName);

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        public void Dispose() => inner.Dispose();
    }

    private sealed class Logger(ILogger inner, string category, IHttpContextAccessor accessor) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsClientReset(category, logLevel, exception, accessor.HttpContext))
            {
                logLevel = LogLevel.Debug;
                if (!inner.IsEnabled(logLevel)) return;
            }
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
