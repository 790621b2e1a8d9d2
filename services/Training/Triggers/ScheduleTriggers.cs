using Cascade.Contracts.Training.V1;
using Cascade.Training.Messaging;
using Cascade.Training.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cascade.Training.Triggers;

/// <summary>
/// Retrains models whose policy has a <c>schedule</c>: once that interval has passed since the model's previous job
/// (of any kind; since the policy was put, before any) and its cooldown too, provided labeled rows arrived since that
/// job: the same data would train the same model, which the registry would refuse. The clock is the stored time of
/// the last job, so a restart neither skips nor repeats a scheduled retrain.
/// </summary>
public sealed partial class ScheduleTriggers(
    TrainingStore store, JobDispatcher dispatcher, TrainingTriggers materializations, TimeProvider time, ILogger<ScheduleTriggers> logger) : BackgroundService
{
    // Schedules are at least 1 s (PutTrainingPolicy refuses shorter ones): a tick a second is precise enough and reads
    // the policies no more often than that.
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Poll, time);
        while (await WaitAsync(timer, stoppingToken))
        {
            try
            {
                DispatchDue();
            }
            catch (Exception ex)
            {
                LogFailed(logger, ex);
            }
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void DispatchDue()
    {
        foreach (var model in store.Policies().Where(p => p.Spec.Triggers?.Schedule is not null).Select(p => p.Spec.Model))
        {
            try
            {
                dispatcher.Exclusively(() => DispatchIfDue(model, time.GetUtcNow()));
            }
            catch (Exception ex)
            {
                LogFailed(logger, ex); // this policy only: the others still get their turn
            }
        }
    }

    private void DispatchIfDue(string model, DateTimeOffset now)
    {
        if (store.Get(model) is not { } policy) return;
        var triggers = policy.Spec.Triggers;
        var schedule = triggers?.Schedule?.ToTimeSpan() ?? TimeSpan.Zero;
        if (schedule <= TimeSpan.Zero) return;
        var since = (policy.Meta.LastJobAt ?? policy.Meta.UpdatedAt).ToDateTimeOffset();
        var cooldown = triggers!.Cooldown?.ToTimeSpan() ?? TimeSpan.Zero;
        if (now - since < schedule || (policy.Meta.LastJobAt is not null && now - since < cooldown)) return;
        if (materializations.Latest(policy.Spec.FeatureView) is not { } latest || latest.LabeledRowsTotal <= store.LabeledAtLastJob(model))
        {
            return; // nothing new to learn from yet: the job waits for data
        }
        var job = dispatcher.Dispatch(policy, latest, TriggerKind.Schedule, $"schedule: every {schedule}, {latest.LabeledRowsTotal} labeled rows");
        LogQueued(logger, job.Id, model, job.Spec.TriggerReason);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Queued scheduled training job {JobId} for {Model}: {Reason}")]
    private static partial void LogQueued(ILogger logger, string jobId, string model, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Scheduled training triggers failed; retrying")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
