using Cascade.Training.Domain;

namespace Cascade.Training.Messaging;

/// <summary>
/// Asks about a job every <c>poll</c> while a worker trains it; when the job was cancelled, <see cref="Token"/> fires
/// (XGBoost stops between rounds, a gRPC call in flight ends). Also fires when the worker itself stops. Disposing it
/// ends the questions; it never throws.
/// </summary>
internal sealed class JobCancellationWatch : IAsyncDisposable
{
    private readonly CancellationTokenSource _jobCancelled = new();
    private readonly CancellationTokenSource _stop;
    private readonly CancellationTokenSource _token;
    private readonly Task _loop;

    private JobCancellationWatch(IJobCancellation cancellation, string jobId, TimeSpan poll, CancellationToken consume)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(consume);
        _token = CancellationTokenSource.CreateLinkedTokenSource(consume, _jobCancelled.Token);
        _loop = WatchAsync(cancellation, jobId, poll);
    }

    /// <summary>Cancelled when the job was cancelled or the worker stops.</summary>
    public CancellationToken Token => _token.Token;

    /// <summary>Whether the job was cancelled (rather than the worker stopping).</summary>
    public bool JobCancelled => _jobCancelled.IsCancellationRequested;

    public static JobCancellationWatch Start(IJobCancellation cancellation, string jobId, TimeSpan poll, CancellationToken consume) =>
        new(cancellation, jobId, poll, consume);

    private async Task WatchAsync(IJobCancellation cancellation, string jobId, TimeSpan poll)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(poll, _stop.Token);
                if (await cancellation.IsCancelledAsync(jobId, _stop.Token))
                {
                    await _jobCancelled.CancelAsync();
                    return;
                }
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return; // the job ended first (a question in flight ends as OperationCanceledException or a CANCELLED RpcException)
            }
            catch (Exception)
            {
                // Not answered: asked again at the next poll; the implementations log what went wrong.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _token.Dispose();
        _stop.Dispose();
        _jobCancelled.Dispose();
    }
}
