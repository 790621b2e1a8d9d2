using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Training.V1;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Training.Domain;
using Cascade.Training.Policies;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using FeaturesClient = Cascade.Contracts.Features.V1.Features.FeaturesClient;
using IngestionClient = Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient;
using Record = Cascade.Contracts.Ingestion.V1.Record;
using Value = Cascade.Contracts.Common.V1.Value;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.Training.Tests.Policies;

/// <summary>
/// A training policy's <c>monitoring</c> block: checked against the dataset's schema when the policy is put (each
/// refusal INVALID_ARGUMENT naming the field and what to give), stored as given, and resolved by the worker into what
/// the version's manifest records (a bin count cut at the training rows' quantiles).
/// </summary>
public sealed class MonitoringPolicyTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-training-monitoring-").FullName;
    private InProcessHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await InProcessHost.StartAsync(_data);
        await new IngestionClient(_host.Channel).RegisterDatasetAsync(new RegisterDatasetRequest
        {
            Spec = new DatasetSpec
            {
                Name = "people", EntityColumn = "id", EventTimeColumn = "time", LabelColumn = "label",
                Columns =
                {
                    new ColumnSpec { Name = "amount", Type = ValueType.Float64 },
                    new ColumnSpec { Name = "age", Type = ValueType.Int64 },
                    new ColumnSpec { Name = "income", Type = ValueType.Float64 },
                    new ColumnSpec { Name = "region", Type = ValueType.String },
                    new ColumnSpec { Name = "vip", Type = ValueType.Bool },
                    new ColumnSpec { Name = "gender", Type = ValueType.String, Sensitive = true },
                    new ColumnSpec { Name = "ssn", Type = ValueType.String, Sensitive = true, Privacy = ColumnPrivacy.Drop },
                },
            },
        });
        await new FeaturesClient(_host.Channel).ApplyFeatureViewAsync(new ApplyFeatureViewRequest
        {
            Spec = new FeatureViewSpec { Name = "people-view", Dataset = "people", Passthrough = { "amount", "age" } },
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    private Contracts.Training.V1.Training.TrainingClient Client => new(_host.Channel);

    private static TrainingPolicySpec Policy(SegmentPolicy segment, string dataset = "people") => new()
    {
        Model = "people-model", Dataset = dataset, FeatureView = "people-view", Objective = "binary:logistic", Rounds = 5, HoldoutFraction = 0.2,
        Monitoring = new MonitoringPolicy { Segment = segment },
    };

    private async Task<RpcException> RefusedAsync(SegmentPolicy segment)
    {
        var put = async () => await Client.PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = Policy(segment), ValidateOnly = true });
        return (await put.Should().ThrowAsync<RpcException>()).Which;
    }

    [Fact]
    public async Task A_segment_column_of_the_dataset_is_accepted_and_stored_input_or_not()
    {
        var region = new SegmentPolicy { Column = "region", MaxSegments = 5 };
        await Client.PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = Policy(region) });

        (await Client.GetTrainingPolicyAsync(new GetTrainingPolicyRequest { Model = "people-model" })).Spec.Monitoring.Segment.Should().Be(region);
        foreach (var accepted in new[]
        {
            new SegmentPolicy { Column = "income", Bins = { 30_000, 60_000 } },
            new SegmentPolicy { Column = "age", BinCount = 4 },
            new SegmentPolicy { Column = "vip" },
            new SegmentPolicy { Column = "gender" },
        })
        {
            (await Client.PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = Policy(accepted), ValidateOnly = true })).Spec.Monitoring.Segment.Should().Be(accepted);
        }
    }

    [Theory]
    [InlineData("shoe_size", "", 0, 0, "monitoring.segment.column 'shoe_size' is not a column of dataset 'people'; its columns: amount, age, income, region, vip, gender, ssn.")]
    [InlineData("", "", 0, 0, "monitoring.segment.column is required*")]
    [InlineData("ssn", "", 0, 0, "monitoring.segment.column 'ssn' is sensitive with privacy DROP*Set its privacy to HASH*")]
    [InlineData("region", "1,2", 0, 0, "monitoring.segment.bins and bin_count apply to a numeric column; 'region' is STRING*leave them empty.")]
    [InlineData("vip", "", 3, 0, "*apply to a numeric column; 'vip' is BOOL*")]
    [InlineData("income", "", 0, 0, "monitoring.segment: column 'income' is FLOAT64: give bins (inner edges, e.g. [30, 50]) or bin_count*")]
    [InlineData("income", "60000,30000", 0, 0, "monitoring.segment.bins [60000, 30000]: bins must be finite and strictly increasing.")]
    [InlineData("income", "1,2", 3, 0, "monitoring.segment: give bins or bin_count, not both.")]
    [InlineData("income", "1,2,3,4", 0, 3, "monitoring.segment.bins [1, 2, 3, 4]: 4 bins make 6 groups (with missing), more than max_segments (3) + other.")]
    [InlineData("age", "", 1, 0, "monitoring.segment.bin_count is 1; give 2 to max_segments (10).")]
    [InlineData("region", "", 0, 101, "monitoring.segment.max_segments is 101; give 2 to 100 (0 = 10).")]
    public async Task A_segment_block_that_cannot_work_is_refused_naming_the_field_and_what_to_give(string column, string bins, int binCount, int maxSegments, string message)
    {
        var segment = new SegmentPolicy { Column = column, BinCount = binCount, MaxSegments = maxSegments };
        segment.Bins.AddRange(bins.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(b => double.Parse(b, System.Globalization.CultureInfo.InvariantCulture)));

        var refused = await RefusedAsync(segment);

        refused.StatusCode.Should().Be(StatusCode.InvalidArgument);
        refused.Status.Detail.Should().Match(message);
    }

    [Fact]
    public async Task A_bin_count_for_a_column_the_model_does_not_read_is_refused_once_the_view_has_materialized()
    {
        var request = new IngestRequest { Dataset = "people" };
        for (var i = 0; i < 20; i++)
        {
            request.Records.Add(new Record
            {
                RecordId = $"r{i}", EntityId = $"p{i}", EventTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(i)), Label = i % 2,
                Values = { ["amount"] = new Value { Float64Value = i }, ["age"] = new Value { Int64Value = 20 + i }, ["income"] = new Value { Float64Value = 1000 * i } },
            });
        }
        await new IngestionClient(_host.Channel).IngestBatchAsync(request);
        await Eventually.WaitUntilAsync(
            async () => (await new FeaturesClient(_host.Channel).GetMaterializationStatusAsync(new GetMaterializationStatusRequest { FeatureView = "people-view" })).LabeledRows >= 20,
            "the view materializes", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50));
        // Training learns of the materialization through the log.
        await Eventually.WaitUntilAsync(async () =>
            {
                try
                {
                    await Client.PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = Policy(new SegmentPolicy { Column = "income", BinCount = 3 }), ValidateOnly = true });
                    return false;
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.InvalidArgument)
                {
                    ex.Status.Detail.Should().Be("monitoring.segment.bin_count needs 'income' among the model's inputs to cut its training values into quantiles, and view 'people-view' computes amount, age: give monitoring.segment.bins instead.");
                    return true;
                }
            }, "Training refuses the bin count", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));

        var input = await Client.PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = Policy(new SegmentPolicy { Column = "age", BinCount = 3 }), ValidateOnly = true });
        input.Spec.Monitoring.Segment.BinCount.Should().Be(3, "age is an input: its training values can be cut");
    }

    [Fact]
    public async Task Schemas_arrive_through_the_log_and_a_dataset_never_announced_is_not_waited_for_forever()
    {
        var schemas = new DatasetSchemas();
        var waiting = schemas.WaitForAsync("late", TimeSpan.FromSeconds(30), CancellationToken.None);
        waiting.IsCompleted.Should().BeFalse();

        schemas.Apply(new DatasetRegistered { Dataset = "late", SchemaVersion = 2, Columns = { new DatasetColumn { Name = "a" } } });
        schemas.Apply(new DatasetRegistered { Dataset = "late", SchemaVersion = 1 });

        (await waiting)!.SchemaVersion.Should().Be(2, "an older announcement replayed later changes nothing");
        (await schemas.WaitForAsync("never", TimeSpan.FromMilliseconds(50), CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public void The_worker_records_bins_as_given_cuts_a_bin_count_at_the_training_quantiles_and_refuses_one_for_a_column_it_cannot_read()
    {
        // 100 rows: amount 0..99, age 0,0,1,1,...: quartiles of amount at ranks 25, 50 and 75.
        var train = new TabularData(Enumerable.Range(0, 100).SelectMany(i => new[] { (float)i, i / 2 }).ToArray(), 100, ["amount", "age"], new float[100]);
        ModelSegment? Resolved(SegmentPolicy segment) => SegmentResolution.For(Policy(segment), train, [])?.Segment;

        Resolved(new SegmentPolicy { Column = "amount", BinCount = 4 }).Should().BeEquivalentTo(new { Column = "amount", Kind = ModelSegment.Numeric, Bins = new[] { 25.0, 50, 75 }, MaxSegments = 10 });
        Resolved(new SegmentPolicy { Column = "income", Bins = { 30_000 }, MaxSegments = 4 }).Should().BeEquivalentTo(new { Kind = ModelSegment.Numeric, Bins = new[] { 30_000.0 }, MaxSegments = 4 });
        Resolved(new SegmentPolicy { Column = "region" }).Should().BeEquivalentTo(new { Column = "region", Kind = ModelSegment.Categorical, Bins = Array.Empty<double>() });
        SegmentResolution.For(new TrainingPolicySpec { Model = "m" }, train, []).Should().BeNull("a policy without the block records none");
        SegmentResolution.QuantileEdges(new TabularData(new float[] { 1, 1, 1, 1, 2, 2, 2, 2 }, 8, ["x"], new float[8]), 0, 4).Should().Equal([2.0], "ties merge groups; an edge at the smallest value opens none");

        var unreadable = () => Resolved(new SegmentPolicy { Column = "income", BinCount = 3 });
        unreadable.Should().Throw<ArgumentException>().WithMessage("monitoring.segment.bin_count needs 'income' among the model's numeric inputs*the model reads amount, age. Give monitoring.segment.bins instead.");
    }
}
