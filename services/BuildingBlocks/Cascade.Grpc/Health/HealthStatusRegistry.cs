using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Health.V1;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Cascade.Grpc.Health;

/// <summary>
/// The serving status of each service (and of the whole server under the empty name), which services
/// set as they become ready or lose a dependency; <c>Health/Watch</c> callers are told of every change.
/// </summary>
public sealed class HealthStatusRegistry
{
    private readonly ConcurrentDictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Channel<ServingStatus>, string> _watchers = new();
    private readonly Lock _gate = new();

    public HealthStatusRegistry()
    {
        _statuses[string.Empty] = ServingStatus.Serving;
    }

    /// <summary>Sets a service's status ("" is the whole server) and notifies its watchers if it changed.</summary>
    public void SetStatus(string service, ServingStatus status)
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_gate)
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
    }

    /// <summary>The service's status, or null if it was never registered.</summary>
    public ServingStatus? GetStatus(string service) => _statuses.TryGetValue(service, out var status) ? status : null;

    /// <summary>Subscribes to a service's status: yields the current one (SERVICE_UNKNOWN if unregistered), then every change.</summary>
    internal WatchSubscription Watch(string service)
    {
        var channel = Channel.CreateBounded<ServingStatus>(new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            channel.Writer.TryWrite(GetStatus(service) ?? ServingStatus.ServiceUnknown);
            _watchers[channel] = service;
        }
        return new WatchSubscription(channel.Reader, () => _watchers.TryRemove(channel, out _));
    }

    internal sealed class WatchSubscription(ChannelReader<ServingStatus> reader, Action unsubscribe) : IDisposable
    {
        public ChannelReader<ServingStatus> Reader { get; } = reader;

        public void Dispose() => unsubscribe();
    }
}
