using Cascade.Cli.Specs.Model;
using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Training.V1;
using WireAccelerator = Cascade.Contracts.Common.V1.ResourceRequest.Types.Accelerator;

namespace Cascade.Cli.Specs.Wire;

/// <summary>Training policy specs to and from Training's <see cref="TrainingPolicySpec"/>; the object's name is the model.</summary>
internal static class TrainingPolicyMapping
{
    public static TrainingPolicySpec ToProto(string model, TrainingPolicySpecification policy)
    {
        var spec = new TrainingPolicySpec
        {
            Model = model,
            Dataset = policy.Dataset,
            FeatureView = policy.FeatureView,
            Objective = policy.Objective,
            Rounds = policy.Rounds,
            EarlyStoppingRounds = policy.EarlyStoppingRounds,
            ValidationFraction = policy.ValidationFraction,
            HoldoutFraction = policy.HoldoutFraction,
            MaxTrainingRows = policy.MaxTrainingRows,
            NumClass = policy.NumClass,
            Trainer = policy.Trainer,
            // Absent when nothing is asked for, as a client that never heard of them would send.
            Resources = policy.Resources == ResourceSpecification.None ? null : new ResourceRequest
            {
                Accelerator = policy.Resources.Accelerator switch { Accelerator.Cpu => WireAccelerator.Cpu, Accelerator.Gpu => WireAccelerator.Gpu, _ => WireAccelerator.Unspecified },
                CpuCores = policy.Resources.CpuCores,
            },
            Triggers = policy.Triggers == TriggerSpecification.None ? null : new Triggers
            {
                EveryNewLabeledRows = policy.Triggers.EveryNewLabeledRows,
                OnDrift = policy.Triggers.OnDrift,
                Schedule = WireDurations.ToProto(policy.Triggers.Schedule),
                Debounce = WireDurations.ToProto(policy.Triggers.Debounce),
                Cooldown = WireDurations.ToProto(policy.Triggers.Cooldown),
            },
        };
        foreach (var (name, value) in policy.Parameters) spec.Parameters[name] = value;
        if (policy.Segment is { } segment)
        {
            spec.Monitoring = new MonitoringPolicy
            {
                Segment = new SegmentPolicy { Column = segment.Column, Bins = { segment.Bins }, BinCount = segment.BinCount, MaxSegments = segment.MaxSegments },
            };
        }
        return spec;
    }

    public static SpecObject FromProto(TrainingPolicySpec spec) => new(spec.Model, new TrainingPolicySpecification(
        spec.Dataset,
        spec.FeatureView,
        spec.Objective,
        new SortedDictionary<string, string>(spec.Parameters, StringComparer.Ordinal),
        spec.Rounds,
        spec.EarlyStoppingRounds,
        spec.Resources is null ? ResourceSpecification.None : new ResourceSpecification(
            spec.Resources.Accelerator switch { WireAccelerator.Cpu => Accelerator.Cpu, WireAccelerator.Gpu => Accelerator.Gpu, _ => null },
            spec.Resources.CpuCores),
        spec.Triggers is null ? TriggerSpecification.None : new TriggerSpecification(
            spec.Triggers.EveryNewLabeledRows, spec.Triggers.OnDrift,
            WireDurations.FromProto(spec.Triggers.Schedule), WireDurations.FromProto(spec.Triggers.Debounce), WireDurations.FromProto(spec.Triggers.Cooldown)),
        spec.ValidationFraction,
        spec.HoldoutFraction,
        spec.MaxTrainingRows,
        spec.NumClass,
        spec.Trainer,
        spec.Monitoring?.Segment is { } segment ? new SegmentSpecification(segment.Column, segment.Bins.ToArray(), segment.BinCount, segment.MaxSegments) : null));
}
