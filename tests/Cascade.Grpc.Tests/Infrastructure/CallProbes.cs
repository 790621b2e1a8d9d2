using System.Collections.Concurrent;

namespace Cascade.Grpc.Tests.Infrastructure;

/// <summary>
/// Follows one call inside the test server, so tests wait for events (handler started, token fired)
/// instead of guessing how long they take on a busy machine.
/// </summary>
public sealed class CallProbe
{
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource TokenFired { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets a handler that ignores its token (<c>ignore_cancellation</c>) finish.</summary>
    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The deadline the handler saw.</summary>
    public DateTime Deadline { get; set; }
}

/// <summary>The probes of one test server, by key.</summary>
public sealed class CallProbes
{
    private readonly ConcurrentDictionary<string, CallProbe> _probes = new();

    /// <summary>A new probe and the key to put in <c>TestRequest.probe</c>.</summary>
    public (string Key, CallProbe Probe) Create()
    {
        var key = Guid.NewGuid().ToString("N");
        var probe = new CallProbe();
        _probes[key] = probe;
        return (key, probe);
    }

    internal CallProbe? Find(string key) => key.Length > 0 && _probes.TryGetValue(key, out var probe) ? probe : null;
}
