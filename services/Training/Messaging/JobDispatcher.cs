using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Training.V1;
using Cascade.Training.Storage;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Cascade.Training.Messaging;

/// <summary>
/// Creates jobs, each with its command for the worker queue its resource request names (<c>train-cpu</c> or
/// <c>train-gpu</c>), written together; <see cref="JobOutbox"/> sends the command.
/// </summary>
public sealed class JobDispatcher(TrainingStore store, JobOutbox outbox)
{
    private readonly Lock _gate = new();

    /// <summary>
    /// Runs a trigger's decision and its dispatch as one step: two triggers (new rows, a schedule) looking at the same
    /// data at the same moment cannot both queue a job, as the second sees the first's job.
    /// </summary>
    public void Exclusively(Action decideAndDispatch)
    {
        lock (_gate) decideAndDispatch();
    }

    /// <summary>Queues a job to train <paramref name="policy"/> on the data a materialization reached.</summary>
    public TrainingJob Dispatch(TrainingPolicy policy, FeaturesMaterialized materialized, TriggerKind trigger, string reason, IReadOnlyList<string>? alertIds = null)
    {
        lock (_gate) return Create(policy, materialized, trigger, reason, alertIds);
    }

    /// <summary>
    /// Queues a batch-scoring job (<see cref="JobKind.Score"/>) on the pool its accelerator names, through the same
    /// outbox: it carries no policy, and leaves the model's training bookkeeping (last job, labeled rows) alone.
    /// </summary>
    public TrainingJob DispatchScoring(TrainingJob job)
    {
        job.Status = new TrainingJobStatus { State = JobState.Queued, QueuedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) };
        var queue = job.Spec.Resources.Accelerator == ResourceRequest.Types.Accelerator.Gpu ? JobQueues.Gpu : JobQueues.Cpu;
        lock (_gate) store.AddJob(job, new OutboxCommand(queue, []), labeledRows: 0);
        outbox.Notify();
        return job;
    }

    private TrainingJob Create(TrainingPolicy policy, FeaturesMaterialized materialized, TriggerKind trigger, string reason, IReadOnlyList<string>? alertIds)
    {
        var job = new TrainingJob
        {
            Id = $"job-{Guid.NewGuid():N}"[..16],
            Spec = new TrainingJobSpec
            {
                Model = policy.Spec.Model,
                PolicyVersion = policy.Meta.Version,
                Watermark = materialized.Watermark,
                TriggerReason = reason,
                Resources = policy.Spec.Resources ?? new ResourceRequest { Accelerator = ResourceRequest.Types.Accelerator.Cpu },
                FeatureViewVersion = materialized.ViewVersion,
                FeatureNames = { materialized.FeatureNames },
                Categoricals = { materialized.Categoricals },
                Trigger = trigger,
                AlertIds = { alertIds ?? [] },
            },
            Status = new TrainingJobStatus { State = JobState.Queued, QueuedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) },
        };
        var queue = job.Spec.Resources.Accelerator == ResourceRequest.Types.Accelerator.Gpu ? JobQueues.Gpu : JobQueues.Cpu;
        store.AddJob(job, new OutboxCommand(queue, policy.Spec.ToByteArray()), materialized.LabeledRowsTotal, answersDrift: trigger == TriggerKind.Drift);
        outbox.Notify();
        return job;
    }
}
