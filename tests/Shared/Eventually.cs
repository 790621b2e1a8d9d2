using System.Diagnostics;

namespace Cascade.Tests.Shared;

/// <summary>
/// The one poll loop the test projects share (linked into each): wait until a condition holds, or until a read returns a
/// value that satisfies a predicate, and fail with a <see cref="TimeoutException"/> that says what was awaited, for how
/// long, and — for a read — the last value seen. One place for timeouts and messages instead of a loop per test class.
/// A negative check ("X never happens") must wait for the condition that would prove it wrong, bounded, never sleep a
/// fixed time and then look once.
/// </summary>
internal static class Eventually
{
    /// <summary>How long to wait when the caller names no timeout.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long to pause between two looks when the caller names no interval.</summary>
    public static readonly TimeSpan DefaultPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>Waits until <paramref name="condition"/> holds; <paramref name="what"/> completes "waiting until …".</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null, TimeSpan? poll = null) =>
        await Poll(() => Task.FromResult(condition()), ok => ok, what, timeout, poll, showLast: false);

    /// <summary>Waits until the asynchronous <paramref name="condition"/> holds.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, TimeSpan? poll = null) =>
        await Poll(condition, ok => ok, what, timeout, poll, showLast: false);

    /// <summary>
    /// Reads until <paramref name="done"/> holds for what was read and returns it; a timeout names the last value read.
    /// (No synchronous overload: it would make calls ambiguous; wrap a synchronous read in <see cref="Task.FromResult{T}"/>.)
    /// </summary>
    public static Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? timeout = null, TimeSpan? poll = null) =>
        Poll(read, done, what, timeout, poll, showLast: true);

    /// <summary>
    /// Runs <paramref name="check"/> (assertions) again and again for <paramref name="duration"/> and fails as soon as one
    /// throws: how a negative check ("X never happens") watches for what would prove it wrong instead of sleeping a fixed
    /// time and looking once. The last check runs after the stretch has ended.
    /// </summary>
    public static async Task ThroughoutAsync(Func<Task> check, TimeSpan duration, TimeSpan? poll = null)
    {
        var pause = poll ?? TimeSpan.FromMilliseconds(100);
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var ended = stopwatch.Elapsed >= duration;
            await check();
            if (ended) return;
            await Task.Delay(pause);
        }
    }

    private static async Task<T> Poll<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? timeout, TimeSpan? poll, bool showLast)
    {
        var limit = timeout ?? DefaultTimeout;
        var pause = poll ?? DefaultPoll;
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (stopwatch.Elapsed > limit)
            {
                var last = showLast ? $" (last seen: {(value is null ? "null" : value.ToString())})" : "";
                throw new TimeoutException($"Timed out after {limit} waiting until {what}{last}.");
            }
            await Task.Delay(pause);
        }
    }
}
