using System.Collections.Concurrent;
using System.Diagnostics;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Monitoring.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cascade.Cli.Demo;

/// <summary>Watches drift alerts the way an ops console does (server-streaming <c>WatchAlerts</c>) and notes when each arrived.</summary>
internal sealed class AlertWatcher(Stopwatch clock, Func<long> recordsSent)
{
    /// <summary>Alerts in arrival order, with the demo clock (ms) and the records sent so far when each arrived.</summary>
    public ConcurrentQueue<(DriftDetected Alert, double ReceivedMs, long RecordsSent)> Received { get; } = new();

    public async Task RunAsync(GrpcChannel channel, string model, CancellationToken stop)
    {
        try
        {
            using var call = new Cascade.Contracts.Monitoring.V1.Monitoring.MonitoringClient(channel).WatchAlerts(new WatchAlertsRequest { Models = { model }, Replay = 100 }, cancellationToken: stop);
            await foreach (var alert in call.ResponseStream.ReadAllAsync(stop))
            {
                Received.Enqueue((alert, clock.Elapsed.TotalMilliseconds, recordsSent()));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && stop.IsCancellationRequested)
        {
        }
    }
}
