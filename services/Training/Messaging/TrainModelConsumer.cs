using Cascade.Contracts.Training.V1;
using Cascade.Training.Domain;
using Cascade.Training.Options;
using Cascade.Training.Storage;
using Google.Protobuf.WellKnownTypes;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Cascade.Training.Messaging;

/// <summary>
/// A worker: runs the job and records its status. A failing attempt is retried by MassTransit with backoff; the
/// last failing attempt marks the job FAILED with its reason, so no job is silently lost.
/// </summary>
public sealed partial class TrainModelConsumer(TrainingStore store, TrainingWorker worker, TrainingServiceOptions options, ILogger<TrainModelConsumer> logger) : IConsumer<TrainModelCommand>
{
    public async Task Consume(ConsumeContext<TrainModelCommand> context)
    {
        var job = store.GetJob(context.Message.JobId);
        if (job is null || job.Status.State is JobState.Succeeded or JobState.Cancelled)
        {
            return; // redelivered after completion, or cancelled: nothing to do
        }
        var policy = store.Get(job.Spec.Model) ?? throw new InvalidOperationException($"No training policy for model '{job.Spec.Model}'.");
        job.Status.State = JobState.Running;
        job.Status.Attempts++;
        job.Status.Worker = options.WorkerName;
        job.Status.StartedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
        store.UpdateJob(job);
        try
        {
            var outcome = await worker.RunAsync(job, policy.Spec, context.CancellationToken);
            job.Status.State = JobState.Succeeded;
            job.Status.ModelVersion = outcome.Version;
            job.Status.Promoted = outcome.Promoted;
            job.Status.Device = outcome.Device;
            job.Status.Error = string.Empty;
            job.Status.FinishedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
            store.UpdateJob(job);
            LogSucceeded(logger, job.Id, job.Spec.Model, outcome.Version, outcome.Promoted, outcome.Decision);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var final = job.Status.Attempts >= options.MaxAttempts;
            job.Status.State = final ? JobState.Failed : JobState.Queued;
            job.Status.Error = ex.Message;
            if (final) job.Status.FinishedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
            store.UpdateJob(job);
            LogFailed(logger, job.Id, job.Status.Attempts, ex);
            if (!final) throw; // MassTransit retries with backoff
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Training job {JobId} for {Model} registered v{Version} (promoted: {Promoted}; {Decision})")]
    private static partial void LogSucceeded(ILogger logger, string jobId, string model, int version, bool promoted, string decision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Training job {JobId} failed on attempt {Attempt}")]
    private static partial void LogFailed(ILogger logger, string jobId, int attempt, Exception exception);
}
