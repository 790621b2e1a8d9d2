using Cascade.Contracts.Training.V1;

namespace Cascade.Training.Messaging;

/// <summary>
/// Reports a running job's progress (rounds done of rounds planned) about once per <c>period</c>, not on every round:
/// a round can take a millisecond and each report is a message to Training. The trainer records rounds on its own
/// thread (<see cref="Record"/>); a loop sends a copy of the status when they changed. The caller disposes the reporter
/// before it sends the job's final status, so a late progress report can never overtake it.
/// </summary>
internal sealed class JobProgressReporter : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _latest; // rounds done in the high 32 bits, planned in the low ones: one atomic read

    public JobProgressReporter(TrainingJobStatus running, Func<TrainingJobStatus, Task> report, TimeSpan period)
    {
        _loop = LoopAsync(running.Clone(), report, period);
    }

    /// <summary>Rounds done and planned so far (the trainer's callback).</summary>
    public void Record(int done, int planned) => Interlocked.Exchange(ref _latest, ((long)done << 32) | (uint)planned);

    /// <summary>The last rounds recorded.</summary>
    public (int Done, int Planned) Latest
    {
        get
        {
            var latest = Interlocked.Read(ref _latest);
            return ((int)(latest >> 32), (int)(latest & 0xFFFFFFFF));
        }
    }

    private async Task LoopAsync(TrainingJobStatus status, Func<TrainingJobStatus, Task> report, TimeSpan period)
    {
        using var timer = new PeriodicTimer(period);
        var sent = 0L;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var latest = Interlocked.Read(ref _latest);
                if (latest == sent) continue;
                sent = latest;
                var (done, planned) = Latest;
                status.RoundsDone = done;
                status.RoundsPlanned = planned;
                await report(status.Clone());
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped: the job's final status follows.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (Exception)
        {
            // A progress report that could not be sent is not the job's failure; its final status still goes out.
        }
        _stop.Dispose();
    }
}
