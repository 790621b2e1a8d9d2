namespace Cascade.EventLog.Handlers;

/// <summary>The state of one consumer group's handler in this process.</summary>
/// <param name="GroupId">The consumer group.</param>
/// <param name="Stuck">Whether it keeps failing (at least <see cref="EventHandlerOptions.StuckAfterFailures"/> consecutive failures).</param>
/// <param name="ConsecutiveFailures">Failures since the last success.</param>
/// <param name="LastError">The last failure's message, while failing.</param>
/// <param name="Since">When it entered this state.</param>
public sealed record ConsumerStatus(string GroupId, bool Stuck, int ConsecutiveFailures, string? LastError, DateTimeOffset Since);

/// <summary>Which event handlers of this process are stuck retrying: what readiness reports.</summary>
public interface IConsumerHealth
{
    /// <summary>Every running handler's state, by consumer group.</summary>
    IReadOnlyDictionary<string, ConsumerStatus> Groups { get; }

    /// <summary>Whether any handler is stuck.</summary>
    bool AnyStuck { get; }

    /// <summary>Raised (on the handler's thread) when a group becomes stuck, recovers, or stops.</summary>
    event EventHandler<ConsumerStatus>? Changed;
}

/// <summary>The process's <see cref="IConsumerHealth"/>, fed by every <see cref="EventHandlerRunner"/>.</summary>
public sealed class ConsumerHealth : IConsumerHealth
{
    private readonly Dictionary<string, ConsumerStatus> _groups = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public event EventHandler<ConsumerStatus>? Changed;

    public IReadOnlyDictionary<string, ConsumerStatus> Groups
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, ConsumerStatus>(_groups, StringComparer.Ordinal);
            }
        }
    }

    public bool AnyStuck
    {
        get
        {
            lock (_gate)
            {
                return _groups.Values.Any(g => g.Stuck);
            }
        }
    }

    internal void Started(string group) => Set(new ConsumerStatus(group, false, 0, null, DateTimeOffset.UtcNow));

    internal void Failed(string group, int consecutiveFailures, bool stuck, Exception error) =>
        Set(new ConsumerStatus(group, stuck, consecutiveFailures, $"{error.GetType().Name}: {error.Message}", DateTimeOffset.UtcNow));

    internal void Succeeded(string group)
    {
        lock (_gate)
        {
            if (_groups.TryGetValue(group, out var current) && current.ConsecutiveFailures == 0) return;
        }
        Set(new ConsumerStatus(group, false, 0, null, DateTimeOffset.UtcNow));
    }

    internal void Stopped(string group)
    {
        ConsumerStatus? removed;
        lock (_gate)
        {
            if (!_groups.Remove(group, out removed)) return;
        }
        Changed?.Invoke(this, removed with { Stuck = false, ConsecutiveFailures = 0, LastError = null, Since = DateTimeOffset.UtcNow });
    }

    private void Set(ConsumerStatus status)
    {
        bool changed;
        lock (_gate)
        {
            changed = !_groups.TryGetValue(status.GroupId, out var current) || current.Stuck != status.Stuck;
            _groups[status.GroupId] = status with { Since = changed || current is null ? status.Since : current.Since };
        }
        if (changed)
        {
            Changed?.Invoke(this, status);
        }
    }
}
