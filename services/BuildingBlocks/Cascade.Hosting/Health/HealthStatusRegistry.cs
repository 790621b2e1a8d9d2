using System.Threading.Channels;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Cascade.Hosting.Health;

/// <summary>
/// The serving status of each service (and of the whole server under the empty name), which services
/// set as they become ready or lose a dependency; <c>Health/Watch</c> callers are told of every change.
/// </summary>
public sealed class HealthStatusRegistry
{
    /// <summary>Statuses a slow watcher may have queued; older ones are dropped, the newest always arrives.</summary>
    private const int WatcherQueueLength = 16;

    private readonly Dictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal);
    private readonly Dictionary<Channel<ServingStatus>, string> _watchers = [];
    private readonly Lock _gate = new();
    private bool _shuttingDown;

    public HealthStatusRegistry()
    {
        _statuses[string.Empty] = ServingStatus.Serving;
    }

    /// <summary>Whether the server is shutting down: every status is NOT_SERVING and stays so.</summary>
    public bool IsShuttingDown
    {
        get
        {
            lock (_gate)
            {
                return _shuttingDown;
            }
        }
    }

    /// <summary>Sets a service's status ("" is the whole server) and notifies its watchers if it changed; ignored once shutting down.</summary>
    public void SetStatus(string service, ServingStatus status)
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_gate)
        {
            if (!_shuttingDown)
            {
                SetStatusLocked(service, status);
            }
        }
    }

    /// <summary>The service's status, or null if it was never registered.</summary>
    public ServingStatus? GetStatus(string service)
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_gate)
        {
            return _statuses.TryGetValue(service, out var status) ? status : null;
        }
    }

    /// <summary>
    /// Marks every service NOT_SERVING for good and ends every watch, so load balancers drain this server and
    /// open Watch streams do not hold up a graceful shutdown.
    /// </summary>
    public void EnterShutdown()
    {
        lock (_gate)
        {
            if (_shuttingDown)
            {
                return;
            }
            foreach (var service in _statuses.Keys.ToArray())
            {
                SetStatusLocked(service, ServingStatus.NotServing);
            }
            _shuttingDown = true;
            foreach (var channel in _watchers.Keys)
            {
                channel.Writer.TryComplete();
            }
        }
    }

    /// <summary>Subscribes to a service's status: yields the current one (SERVICE_UNKNOWN if unregistered), then every change.</summary>
    public WatchSubscription Watch(string service)
    {
        var channel = Channel.CreateBounded<ServingStatus>(new BoundedChannelOptions(WatcherQueueLength) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            channel.Writer.TryWrite(_statuses.TryGetValue(service, out var current) ? current : ServingStatus.ServiceUnknown);
            if (_shuttingDown)
            {
                channel.Writer.TryComplete();
            }
            else
            {
                _watchers[channel] = service;
            }
        }
        return new WatchSubscription(channel.Reader, () =>
        {
            lock (_gate)
            {
                _watchers.Remove(channel);
            }
        });
    }

    private void SetStatusLocked(string service, ServingStatus status)
    {
        if (_statuses.TryGetValue(service, out var current) && current == status)
        {
            return;
        }
        _statuses[service] = status;
        foreach (var (channel, watched) in _watchers)
        {
            if (watched == service)
            {
                channel.Writer.TryWrite(status);
            }
        }
    }

    /// <summary>One watcher's queue of status changes; disposing it unsubscribes.</summary>
    public sealed class WatchSubscription(ChannelReader<ServingStatus> reader, Action unsubscribe) : IDisposable
    {
        public ChannelReader<ServingStatus> Reader { get; } = reader;

        public void Dispose() => unsubscribe();
    }
}
