using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Cascade.Fuzz.Live;

/// <summary>One log entry of the host at Warning or above.</summary>
public sealed record CapturedLog(DateTimeOffset Time, LogLevel Level, string Category, string Message, Exception? Exception)
{
    public override string ToString() =>
        $"{Level} {Category}: {Message}{(Exception is null ? string.Empty : $" [{Exception.GetType().Name}: {Exception.Message}] at {Exception.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}")}";
}

/// <summary>
/// Keeps what the host logs at Warning and above, so a campaign can fail on any error a request made a handler log
/// (an exception Grpc.AspNetCore or Kestrel caught and logged is a bug even when the client got a proper status).
/// </summary>
public sealed class LogCapture : ILoggerProvider
{
    private static readonly bool AllLevels = Environment.GetEnvironmentVariable("FUZZ_LOG_ALL") == "1";

    private readonly ConcurrentQueue<CapturedLog> _entries = new();

    /// <summary>Everything at Warning or above, in order.</summary>
    public IReadOnlyList<CapturedLog> Entries => _entries.ToArray();

    /// <summary>Entries at Error or Critical.</summary>
    public IReadOnlyList<CapturedLog> Errors => _entries.Where(e => e.Level >= LogLevel.Error).ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        // FUZZ_LOG_ALL=1 keeps every level (diagnosing a finding: Kestrel reports connection errors at Debug).
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning || (AllLevels && logLevel >= LogLevel.Debug);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            // Bounded: a campaign that makes a handler warn on every case must not keep a million strings.
            if (capture._entries.Count >= 10_000) return;
            var message = formatter(state, exception);
            // Messages quote requests, some of them megabytes long: the start is enough to tell what happened.
            capture._entries.Enqueue(new CapturedLog(DateTimeOffset.UtcNow, logLevel, category, message.Length > 2048 ? message[..2048] + "…" : message, exception));
        }
    }
}
