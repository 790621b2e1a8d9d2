using Cascade.Contracts.Training.V1;
using Cascade.Training.Domain;
using Cascade.Training.Options;
using Cascade.Training.Scoring;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Cascade.Training.Messaging;

/// <summary>
/// A worker: runs the job the command carries and reports every change of its status back to Training
/// (<see cref="TrainingJobStatusChanged"/>). A failing attempt is retried by MassTransit with backoff; the last one
/// reports FAILED with its reason and still throws, so the command ends in the queue's dead-letter (<c>_error</c>)
/// queue: no job is silently lost. A command redelivered after success registers nothing new (the registry
/// recognises the job id). A job cancelled before it starts is skipped; one cancelled while it runs stops
/// (<see cref="JobCancellationWatch"/>) and registers nothing: neither is a failure, so neither is retried.
/// A batch-scoring job (<see cref="JobKind.Score"/>) travels the same way and runs <see cref="BatchScoringWorker"/>
/// instead, its progress in chunks and its output in the status' <c>scoring</c> result.
/// </summary>
public sealed partial class TrainModelConsumer(TrainingWorker worker, BatchScoringWorker scoring, IJobCancellation cancellation, JobQueues queues, TrainingServiceOptions options, ILogger<TrainModelConsumer> logger) : IConsumer<TrainModelCommand>
{
    private static readonly TimeSpan CancellationPoll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ProgressPeriod = TimeSpan.FromSeconds(1);

    public async Task Consume(ConsumeContext<TrainModelCommand> context)
    {
        var job = TrainingJob.Parser.ParseFrom(context.Message.Job);
        var policy = TrainingPolicySpec.Parser.ParseFrom(context.Message.Policy);
        if (await cancellation.IsCancelledAsync(job.Id, context.CancellationToken))
        {
            LogCancelled(logger, job.Id);
            return; // cancelled while its command waited: done, nothing trained
        }
        if (context.SentTime is { } sent)
        {
            LogStarted(logger, job.Id, (DateTime.UtcNow - sent).TotalMilliseconds);
        }
        var status = job.Status.Clone();
        status.State = JobState.Running;
        status.Attempts = context.GetRetryAttempt() + 1;
        status.Worker = options.WorkerName;
        status.StartedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
        await ReportAsync(context, job.Id, status);
        job.Status = status;
        await using var watch = JobCancellationWatch.Start(cancellation, job.Id, CancellationPoll, context.CancellationToken);
        var progress = new JobProgressReporter(status, s => ReportAsync(context, job.Id, s), ProgressPeriod);
        try
        {
            TrainingWorker.Outcome? outcome = null;
            BatchScoringResult? scored = null;
            try
            {
                if (job.Spec.Kind == JobKind.Score) scored = await scoring.RunAsync(job, watch.Token, progress.Record);
                else outcome = await worker.RunAsync(job, policy, watch.Token, progress.Record);
            }
            finally
            {
                await progress.DisposeAsync();
                (status.RoundsDone, status.RoundsPlanned) = progress.Latest;
            }
            status.State = JobState.Succeeded;
            status.Error = string.Empty;
            status.FinishedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
            if (scored is not null)
            {
                // model_version stays 0: it names the version a job registered (cascade models history reads it so), and
                // a scoring job registers none; the version it scored with is in its spec.
                status.Scoring = scored;
                status.Device = scored.Device;
                await ReportAsync(context, job.Id, status);
                LogScored(logger, job.Id, job.Spec.Model, job.Spec.Scoring.ModelVersion, scored.RowsScored, scored.OutputSha256);
            }
            else
            {
                status.ModelVersion = outcome!.Version;
                status.Promoted = outcome.Promoted;
                status.Device = outcome.Device;
                await ReportAsync(context, job.Id, status);
                LogSucceeded(logger, job.Id, job.Spec.Model, outcome.Version, outcome.Promoted, outcome.Decision);
            }
        }
        catch (Exception ex) when (ex is JobCancelledException || (watch.JobCancelled && !context.CancellationToken.IsCancellationRequested))
        {
            // Whatever the cancellation interrupted (a round, a gRPC call, a store read) ends the job, not a failure.
            worker.DiscardWork(job.Id);
            LogCancelled(logger, job.Id);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var final = status.Attempts >= options.MaxAttempts;
            status.State = final ? JobState.Failed : JobState.Queued;
            status.Error = ex.Message;
            if (final) status.FinishedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
            await ReportAsync(context, job.Id, status);
            LogFailed(logger, job.Id, status.Attempts, ex);
            throw; // retried with backoff; after the last attempt MassTransit moves the command to the _error queue
        }
    }

    private async Task ReportAsync(ConsumeContext context, string jobId, TrainingJobStatus status)
    {
        var endpoint = await context.GetSendEndpoint(queues.Address(JobQueues.Status));
        await endpoint.Send(new TrainingJobStatusChanged(jobId, status.ToByteArray()), context.CancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Training job {JobId} for {Model} registered v{Version} (promoted: {Promoted}; {Decision})")]
    private static partial void LogSucceeded(ILogger logger, string jobId, string model, int version, bool promoted, string decision);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scoring job {JobId} for {Model} v{Version} scored {Rows} rows into artifact {Sha256}")]
    private static partial void LogScored(ILogger logger, string jobId, string model, int version, long rows, string sha256);

    [LoggerMessage(Level = LogLevel.Information, Message = "Training job {JobId} started {WaitedMs:F0} ms after its command was sent")]
    private static partial void LogStarted(ILogger logger, string jobId, double waitedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Training job {JobId} was cancelled: nothing registered")]
    private static partial void LogCancelled(ILogger logger, string jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Training job {JobId} failed on attempt {Attempt}")]
    private static partial void LogFailed(ILogger logger, string jobId, int attempt, Exception exception);
}
