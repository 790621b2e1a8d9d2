using Cascade.Ml.Training;
using Microsoft.ML;

namespace Cascade.Ml.MlNet;

/// <summary>
/// Connects a running ML.NET fit to the training job that asked for it, as XGBoost's round loop is connected: the
/// job's <see cref="TrainingOptions.Cancellation"/> cancels the context (the fit stops before its next tree or
/// iteration and throws), and the context's progress tracker is polled about every <see cref="Period"/> for trees or
/// iterations done, reported through <see cref="TrainingOptions.OnRound"/> as rounds done of rounds planned. ML.NET
/// pushes no per-round event, so the rounds are pulled, from a thread of the pool rather than the training thread.
/// Disposing it stops the polling before the caller's final report, so no late report can follow that one.
/// </summary>
internal sealed class MlNetFitWatch : IDisposable
{
    /// <summary>How often progress is pulled: a job reports it about once a second, so finer adds nothing.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);

    private readonly CancellationTokenRegistration _cancellation;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <param name="unitsPerRound">Progress units per boosting round: 1, or the classes of a FastTree one-versus-all model (one binary model per class, fitted in turn).</param>
    public MlNetFitWatch(MLContext context, TrainingOptions options, int unitsPerRound, int roundsPlanned)
    {
        // Resolved before the fit starts: an ML.NET that moved its internals fails here, not halfway through a job.
        var progress = MlNetInternals.ProgressOf(context);
        _cancellation = options.Cancellation.Register(MlNetInternals.CancellationOf(context));
        // A thread of its own, not the pool's: fits block pool threads (a worker's job, a test's), and a watch queued
        // behind them saw no progress for a whole 20,000-tree fit, so the fit it was to cancel ran to its end (CI).
        _loop = options.OnRound is { } onRound
            ? Task.Factory.StartNew(() => Report(progress, onRound, unitsPerRound, roundsPlanned), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            : Task.CompletedTask;
    }

    private void Report(Func<IReadOnlyList<MlNetProgressEvent>> progress, Action<int, int> onRound, int unitsPerRound, int roundsPlanned)
    {
        // Units done by computation: a one-versus-all fit runs one computation per class, one after the other.
        var done = new Dictionary<int, double>();
        var limits = new Dictionary<int, double>();
        var reported = 0;
        // Until Dispose: each wait ends after Period, or at once when the fit returned.
        while (!_stop.Token.WaitHandle.WaitOne(Period))
        {
            foreach (var report in progress())
            {
                if (report.Unit is "trees" or "iterations" && (report.Done ?? report.Iteration) is { } units)
                {
                    done[report.Index] = Math.Max(done.GetValueOrDefault(report.Index), units);
                    if (report.Limit is { } limit) limits[report.Index] = limit;
                }
                else if (report.Stopped && limits.TryGetValue(report.Index, out var final))
                {
                    done[report.Index] = final;
                }
            }
            var rounds = Math.Min(roundsPlanned, (int)(done.Values.Sum() / unitsPerRound));
            if (rounds > reported)
            {
                reported = rounds;
                onRound(rounds, roundsPlanned);
            }
        }
        // The fit returned: the caller reports the final rounds.
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _loop.GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Progress is a report about the job, not the job: a failed pull never fails the training it watched.
        }
        _cancellation.Dispose();
        _stop.Dispose();
    }
}
