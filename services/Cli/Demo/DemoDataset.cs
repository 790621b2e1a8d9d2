using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Training.V1;
using Cascade.Contracts.Ingestion.V1;
using Google.Protobuf.WellKnownTypes;

namespace Cascade.Cli.Demo;

/// <summary>The demo's dataset: device readings <c>x0…x7</c> with a 0/1 label, and the records of <see cref="SyntheticStream"/> in its wire form.</summary>
internal static class DemoDataset
{
    public const string Name = "demo-sensors";

    public static DatasetSpec Spec()
    {
        var spec = new DatasetSpec { Name = Name, EntityColumn = "device_id", EventTimeColumn = "event_time", LabelColumn = "label", NonFinite = NonFinitePolicy.Reject };
        foreach (var feature in SyntheticStream.FeatureNames)
        {
            spec.Columns.Add(new ColumnSpec { Name = feature, Type = Cascade.Contracts.Common.V1.ValueType.Float64, Required = true });
        }
        return spec;
    }

    public const string FeatureView = "demo-sensors-features";

    /// <summary>The demo's feature view: the eight readings, plus a one-minute mean and count of x0 per device.</summary>
    public static FeatureViewSpec FeatureViewSpec()
    {
        var spec = new FeatureViewSpec { Name = FeatureView, Dataset = Name };
        spec.Passthrough.Add(SyntheticStream.FeatureNames);
        spec.Aggregations.Add(new Aggregation { Column = "x0", Function = AggregationFunction.Mean, Window = Duration.FromTimeSpan(TimeSpan.FromMinutes(1)) });
        spec.Aggregations.Add(new Aggregation { Column = "x0", Function = AggregationFunction.Count, Window = Duration.FromTimeSpan(TimeSpan.FromMinutes(1)) });
        return spec;
    }

    public const string Model = "demo-model";

    /// <summary>
    /// The demo's training policy: retrain every 10,000 new labeled rows on the most recent 10,000 rows, so a model
    /// trained after the drift learns the new concept and beats the champion on a post-drift holdout.
    /// </summary>
    public static TrainingPolicySpec TrainingPolicy() => new()
    {
        Model = Model,
        Dataset = Name,
        FeatureView = FeatureView,
        Objective = "binary:logistic",
        Parameters = { ["max_depth"] = "4", ["eta"] = "0.2" },
        Rounds = 60,
        ValidationFraction = 0.1,
        HoldoutFraction = 0.2,
        MaxTrainingRows = 10_000,
        // On drift: retrain two seconds after the first alert (later alerts of the same drift join that job), so the
        // newest rows the job trains on already include the changed concept.
        Triggers = new Triggers { EveryNewLabeledRows = 10_000, OnDrift = true, Debounce = Duration.FromTimeSpan(TimeSpan.FromSeconds(2)) },
    };

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
