using Cascade.Cli.Specs.Model;
using Cascade.Cli.Specs.Wire;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Training.V1;
using Google.Protobuf.WellKnownTypes;

namespace Cascade.Cli.Demo;

/// <summary>
/// The demo's dataset: device readings <c>x0…x7</c> with a 0/1 label, and the records of <see cref="SyntheticStream"/> in
/// its wire form. The dataset, view and policy are declared in <c>Demo/demo.yaml</c>; these give them as protos.
/// </summary>
internal static class DemoDataset
{
    public const string Name = "demo-sensors";

    public static DatasetSpec Spec() => DatasetMapping.ToProto(Name, DemoSpec.Find<DatasetSpecification>(Name));

    public const string FeatureView = "demo-sensors-features";

    /// <summary>The demo's feature view: the eight readings, plus a one-minute mean and count of x0 per device.</summary>
    public static FeatureViewSpec FeatureViewSpec() => FeatureViewMapping.ToProto(FeatureView, DemoSpec.Find<FeatureViewSpecification>(FeatureView));

    public const string Model = "demo-model";

    /// <summary>
    /// The demo's training policy: retrain every 10,000 new labeled rows on the most recent 10,000 rows, so a model
    /// trained after the drift learns the new concept and beats the champion on a post-drift holdout.
    /// </summary>
    public static TrainingPolicySpec TrainingPolicy() => TrainingPolicyMapping.ToProto(Model, DemoSpec.Find<TrainingPolicySpecification>(Model));

    public static Record ToRecord(SyntheticRecord source)
    {
        var record = new Record
        {
            RecordId = $"demo-{source.Sequence}",
            EntityId = source.EntityId,
            EventTime = Timestamp.FromDateTimeOffset(source.EventTime),
            Label = source.Label,
        };
        for (var i = 0; i < source.Features.Length; i++)
        {
            record.Values.Add(SyntheticStream.FeatureNames[i], new Cascade.Contracts.Common.V1.Value { Float64Value = source.Features[i] });
        }
        return record;
    }
}
