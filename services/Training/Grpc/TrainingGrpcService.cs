using Cascade.Contracts;
using Cascade.Contracts.Training.V1;
using Grpc.Core;
using Cascade.Ml.Training;
using Cascade.Training.Messaging;
using Cascade.Training.Policies;
using Cascade.Training.Scoring;
using Cascade.Training.Storage;
using Cascade.Training.Triggers;
using Duration = Google.Protobuf.WellKnownTypes.Duration;

namespace Cascade.Training.Grpc;

/// <summary>The Training gRPC API: policies, on-demand triggers and job status.</summary>
public sealed class TrainingGrpcService(TrainingStore store, JobDispatcher dispatcher, TrainingTriggers triggers, BatchScoringJobs scoring, DatasetSchemas schemas) : Contracts.Training.V1.Training.TrainingBase
{
    // How long a policy naming a dataset this process has not heard of yet waits for its announcement: a dataset
    // registered a moment ago arrives through the log in milliseconds; past this it is not registered at all.
    private static readonly TimeSpan SchemaWait = TimeSpan.FromSeconds(10);

    // validate_only: the server-side dry run, validated the same way, writing nothing.
    public override Task<TrainingPolicy> PutTrainingPolicy(PutTrainingPolicyRequest r, ServerCallContext context)
    {
        var spec = Validate(r.Spec);
        if (!MonitoringPolicyRules.AsksForSegments(spec)) return Task.FromResult(r.ValidateOnly ? store.Preview(spec) : store.Put(spec));
        return PutCheckedAsync(spec, r.ValidateOnly, context.CancellationToken);
    }

    /// <summary>A policy with a monitoring block: stored once the block fits its dataset's schema.</summary>
    private async Task<TrainingPolicy> PutCheckedAsync(TrainingPolicySpec spec, bool validateOnly, CancellationToken cancellationToken)
    {
        var schema = await schemas.WaitForAsync(spec.Dataset, SchemaWait, cancellationToken)
            ?? throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"Dataset '{spec.Dataset}' is not registered (Training has not seen it announced), so monitoring.segment.column cannot be checked: register the dataset first."));
        try
        {
            MonitoringPolicyRules.Check(spec.Monitoring.Segment, schema, triggers.Latest(spec.FeatureView));
        }
        catch (ArgumentException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
        return validateOnly ? store.Preview(spec) : store.Put(spec);
    }

    public override Task<TrainingPolicy> GetTrainingPolicy(GetTrainingPolicyRequest r, ServerCallContext context) =>
        Task.FromResult(store.Get(r.Model) ?? throw new RpcException(new Status(StatusCode.NotFound, $"No training policy for model '{r.Model}'.")));

    public override Task<ListTrainingPoliciesResponse> ListTrainingPolicies(ListTrainingPoliciesRequest request, ServerCallContext context) =>
        Task.FromResult(new ListTrainingPoliciesResponse { Policies = { store.Policies() } });

    public override Task<TrainingJob> TriggerTraining(TriggerTrainingRequest request, ServerCallContext context) =>
        Task.FromResult(Trigger(request));

    public override async Task<TrainingJob> TriggerBatchScoring(TriggerBatchScoringRequest request, ServerCallContext context)
    {
        try
        {
            return await scoring.QueueAsync(request, context.CancellationToken);
        }
        catch (ArgumentException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
        catch (KeyNotFoundException ex)
        {
            throw new RpcException(new Status(StatusCode.NotFound, ex.Message));
        }
        catch (InvalidOperationException ex)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, ex.Message));
        }
    }

    public override Task<TrainingJob> GetJob(GetJobRequest r, ServerCallContext context) =>
        Task.FromResult(store.GetJob(r.Id) ?? throw new RpcException(new Status(StatusCode.NotFound, $"No training job '{r.Id}'.")));

    public override Task<TrainingJob> CancelJob(CancelJobRequest request, ServerCallContext context) =>
        Task.FromResult(Cancel(request));

    public override Task<ListJobsResponse> ListJobs(ListJobsRequest r, ServerCallContext context) =>
        Task.FromResult(new ListJobsResponse
        {
            Jobs = { store.Jobs(string.IsNullOrEmpty(r.Model) ? null : r.Model, r.Limit > 0 ? r.Limit : 100).Where(j => r.State == JobState.Unspecified || j.Status.State == r.State) },
        });

    private TrainingJob Cancel(CancelJobRequest request)
    {
        var job = store.CancelJob(request.Id, DateTimeOffset.UtcNow) ?? throw new RpcException(new Status(StatusCode.NotFound, $"No training job '{request.Id}'."));
        return job.Status.State == JobState.Cancelled
            ? job
            : throw new RpcException(new Status(StatusCode.FailedPrecondition, job.Status.State == JobState.Succeeded
                ? $"Job '{job.Id}' already succeeded (v{job.Status.ModelVersion}): roll the version back in the registry instead."
                : $"Job '{job.Id}' already {job.Status.State.ToString().ToUpperInvariant()}: nothing to cancel."));
    }

    /// <summary>The longest reason a manual trigger may give.</summary>
    public const int MaxReasonLength = 1000;

    /// <summary>The largest serialized policy accepted: parameters and names, never data.</summary>
    public const int MaxPolicyBytes = 64 * 1024;

    private TrainingJob Trigger(TriggerTrainingRequest request)
    {
        if (request.Reason.Length > MaxReasonLength)
        {
            // Found by fuzzing: a reason of megabytes made the job, and every listing of jobs, that large.
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"reason is {request.Reason.Length:N0} characters; give at most {MaxReasonLength:N0}."));
        }
        var policy = store.Get(request.Model) ?? throw new RpcException(new Status(StatusCode.NotFound, $"No training policy for model '{request.Model}': put one first."));
        var latest = triggers.Latest(policy.Spec.FeatureView)
            ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, $"Feature view '{policy.Spec.FeatureView}' has not materialized any data yet."));
        return dispatcher.Dispatch(policy, latest, TriggerKind.Manual, string.IsNullOrEmpty(request.Reason) ? "on demand" : request.Reason);
    }

    private static void ValidateTriggers(Contracts.Training.V1.Triggers? triggers)
    {
        if (triggers is null) return;
        if (triggers.EveryNewLabeledRows < 0) throw new RpcException(new Status(StatusCode.InvalidArgument, "triggers.every_new_labeled_rows must be 0 (off) or positive."));
        foreach (var (name, duration) in new[] { ("schedule", triggers.Schedule), ("debounce", triggers.Debounce), ("cooldown", triggers.Cooldown) })
        {
            if (duration is not null && !Durations.IsNonNegative(duration))
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"triggers.{name} must be 0 (off) or a positive duration (seconds ≥ 0, nanos in [0, 999999999])."));
        }
        if (triggers.Schedule is { } schedule && schedule.ToTimeSpan() > TimeSpan.Zero && schedule.ToTimeSpan() < TimeSpan.FromSeconds(1))
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"triggers.schedule is {schedule.ToTimeSpan().TotalMilliseconds} ms: give at least 1 s."));
    }

    private static TrainingPolicySpec Validate(TrainingPolicySpec? spec)
    {
        if (spec is null) throw new RpcException(new Status(StatusCode.InvalidArgument, "spec is required."));
        if (spec.CalculateSize() is var size and > MaxPolicyBytes)
        {
            // Found by fuzzing: policies of megabytes (parameters, names) were copied into every job they made.
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"The policy is {size:N0} bytes; at most {MaxPolicyBytes:N0} are accepted."));
        }
        if (string.IsNullOrEmpty(spec.Model) || string.IsNullOrEmpty(spec.FeatureView) || string.IsNullOrEmpty(spec.Dataset))
            throw new RpcException(new Status(StatusCode.InvalidArgument, "model, dataset and feature_view are required."));
        if (!XGBoostParameters.SupportedObjectives.Contains(spec.Objective))
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"objective '{spec.Objective}' is not supported; use one of {string.Join(", ", XGBoostParameters.SupportedObjectives)}."));
        if (spec.ValidationFraction < 0 || spec.HoldoutFraction <= 0 || spec.ValidationFraction + spec.HoldoutFraction >= 0.9)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "holdout_fraction must be positive and validation_fraction + holdout_fraction below 0.9."));
        ValidateTriggers(spec.Triggers);
        try
        {
            var parameters = new Dictionary<string, string>(spec.Parameters) { ["objective"] = spec.Objective };
            // num_class only when given: a multi:softprob policy without it must be refused, not validated as 2 classes.
            if (spec.NumClass > 0) parameters["num_class"] = spec.NumClass.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Trainers.ValidateParameters(spec.Trainer, parameters);
            if (spec.Trainer is Trainers.MlNetFastTree or Trainers.MlNetLightGbm && spec.EarlyStoppingRounds > 0)
            {
                throw new ArgumentException($"early_stopping_rounds is an XGBoost option: leave it 0 with trainer {spec.Trainer}.");
            }
        }
        catch (ArgumentException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
        return spec;
    }
}
