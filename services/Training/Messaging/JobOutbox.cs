using Cascade.Training.Storage;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cascade.Training.Messaging;

/// <summary>
/// Hands job commands from the store's outbox to the message broker. A job and its command are written in one
/// transaction (<see cref="TrainingStore.AddJob"/>), and the command leaves the outbox only once the broker has it,
/// so neither a broker outage nor a crash between the two loses a job: the command waits and is sent when the
/// broker is back, or after the restart.
/// </summary>
/// <remarks>
/// A crash after the send and before the delete sends the command again. That is safe: workers report status that
/// never moves a finished job back, and the registry registers a version once per training job id.
/// </remarks>
public sealed partial class JobOutbox(TrainingStore store, JobQueues queues, ISendEndpointProvider sendEndpoints, ILogger<JobOutbox> logger) : BackgroundService
{
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);

    /// <summary>A new command is in the outbox: send it now rather than at the next poll.</summary>
    public void Notify() => _wake.Release();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var entry in store.PendingCommands(limit: 100))
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    timeout.CancelAfter(SendTimeout);
                    var endpoint = await sendEndpoints.GetSendEndpoint(queues.Address(entry.Command.Queue));
                    await endpoint.Send(new TrainModelCommand(entry.JobId, entry.Job, entry.Command.Policy), timeout.Token);
                    store.CommandSent(entry.Sequence);
                    LogSent(logger, entry.JobId, entry.Command.Queue);
                }
                backoff = TimeSpan.FromMilliseconds(250);
                await _wake.WaitAsync(TimeSpan.FromSeconds(5), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogSendFailed(logger, ex, backoff.TotalSeconds);
                try { await Task.Delay(backoff, stoppingToken); } catch (OperationCanceledException) { return; }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent training job {JobId} to {Queue}")]
    private static partial void LogSent(ILogger logger, string jobId, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending job commands failed (broker unreachable?); the outbox keeps them, next try in {Seconds} s")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, double seconds);
}
