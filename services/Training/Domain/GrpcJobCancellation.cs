using Cascade.Contracts.Training.V1;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Cascade.Training.Domain;

/// <summary>
/// A worker-only process asks the Training service (<c>GetJob</c>). When Training cannot answer, the job counts as
/// not cancelled: a scheduler outage must not stop the workers, and a cancellation is seen at the next question.
/// </summary>
public sealed partial class GrpcJobCancellation(Contracts.Training.V1.Training.TrainingClient training, ILogger<GrpcJobCancellation> logger) : IJobCancellation
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<bool> IsCancelledAsync(string jobId, CancellationToken cancellationToken)
    {
        try
        {
            var job = await training.GetJobAsync(new GetJobRequest { Id = jobId }, deadline: DateTime.UtcNow + Timeout, cancellationToken: cancellationToken);
            return job.Status.State == JobState.Cancelled;
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogUnanswered(logger, jobId, ex.StatusCode);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Training did not say whether job {JobId} was cancelled ({Status}); going on")]
    private static partial void LogUnanswered(ILogger logger, string jobId, StatusCode status);
}
