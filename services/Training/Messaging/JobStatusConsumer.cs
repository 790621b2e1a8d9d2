using Cascade.Contracts.Training.V1;
using Cascade.Training.Storage;
using MassTransit;

namespace Cascade.Training.Messaging;

/// <summary>Training's side of the workers' reports: the job's stored status follows them (what <c>GetJob</c> and <c>ListJobs</c> show).</summary>
public sealed class JobStatusConsumer(TrainingStore store) : IConsumer<TrainingJobStatusChanged>
{
    public Task Consume(ConsumeContext<TrainingJobStatusChanged> context)
    {
        store.UpdateJobStatus(context.Message.JobId, TrainingJobStatus.Parser.ParseFrom(context.Message.Status));
        return Task.CompletedTask;
    }
}
