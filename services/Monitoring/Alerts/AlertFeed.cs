using System.Threading.Channels;
using Cascade.Contracts.Events.V1;

namespace Cascade.Monitoring.Alerts;

/// <summary>
/// Fans new alerts out to every open <c>WatchAlerts</c> stream. Each watcher has its own bounded buffer; a console
/// that stops reading loses its oldest unread alerts rather than slowing monitoring down (it can list them again).
/// </summary>
public sealed class AlertFeed
{
    private const int BufferPerWatcher = 1_000;
    private readonly Lock _gate = new();
    private readonly List<Channel<DriftDetected>> _watchers = [];

    /// <summary>Alerts published since the last process start.</summary>
    public long Published { get; private set; }

    /// <summary>Open <c>WatchAlerts</c> streams: a stream that ended (client gone, deadline, shutdown) is no longer counted.</summary>
    public int Watchers
    {
        get
        {
            lock (_gate)
            {
                return _watchers.Count;
            }
        }
    }

    /// <summary>Starts receiving alerts; dispose the subscription to stop.</summary>
    public Subscription Watch()
    {
        var channel = Channel.CreateBounded<DriftDetected>(new BoundedChannelOptions(BufferPerWatcher) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            _watchers.Add(channel);
        }
        return new Subscription(this, channel);
    }

    public void Publish(DriftDetected alert)
    {
        lock (_gate)
        {
            Published++;
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(alert);
            }
        }
    }

    private void Remove(Channel<DriftDetected> channel)
    {
        lock (_gate)
        {
            _watchers.Remove(channel);
        }
        channel.Writer.TryComplete();
    }

    /// <summary>One watcher's stream of alerts.</summary>
    public sealed class Subscription(AlertFeed feed, Channel<DriftDetected> channel) : IDisposable
    {
        public ChannelReader<DriftDetected> Alerts => channel.Reader;

        public void Dispose() => feed.Remove(channel);
    }
}
