namespace Cascade.Training.Domain;

/// <summary>
/// How a worker learns that a job it holds was cancelled (<c>CancelJob</c>): it asks before it starts, while it trains
/// and before it registers, so a cancelled job registers no version. Commands already on the broker cannot be called
/// back; the worker that takes one asks instead.
/// </summary>
public interface IJobCancellation
{
    Task<bool> IsCancelledAsync(string jobId, CancellationToken cancellationToken);
}
