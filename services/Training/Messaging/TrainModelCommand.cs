namespace Cascade.Training.Messaging;

/// <summary>
/// The command a worker pool receives (MassTransit message contract). It carries the whole job and the policy
/// version it was queued under, so a worker needs no access to the Training service's store: it runs anywhere the
/// offline store, the artifact store and the registry are reachable.
/// </summary>
/// <param name="JobId">The job.</param>
/// <param name="Job">The <c>cascade.training.v1.TrainingJob</c>, serialized.</param>
/// <param name="Policy">The <c>cascade.training.v1.TrainingPolicySpec</c> of the job, serialized.</param>
public sealed record TrainModelCommand(string JobId, byte[] Job, byte[] Policy);

/// <summary>A worker's report on a job (running, succeeded, failed or queued again for a retry), back to Training.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Status">The <c>cascade.training.v1.TrainingJobStatus</c>, serialized.</param>
public sealed record TrainingJobStatusChanged(string JobId, byte[] Status);
