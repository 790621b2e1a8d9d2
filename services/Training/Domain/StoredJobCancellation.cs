using Cascade.Contracts.Training.V1;
using Cascade.Training.Storage;

namespace Cascade.Training.Domain;

/// <summary>A worker in the scheduler's own process reads the job's state from the store.</summary>
public sealed class StoredJobCancellation(TrainingStore store) : IJobCancellation
{
    public Task<bool> IsCancelledAsync(string jobId, CancellationToken cancellationToken) =>
        Task.FromResult(store.GetJob(jobId)?.Status.State == JobState.Cancelled);
}
