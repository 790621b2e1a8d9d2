using System.Collections.Concurrent;
using System.Diagnostics;
using Cascade.Contracts;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Google.Protobuf.WellKnownTypes;
using FeaturesClient = Cascade.Contracts.Features.V1.Features.FeaturesClient;
using IngestionClient = Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient;
using Value = Cascade.Contracts.Common.V1.Value;

namespace Cascade.Hosting.Tests;

/// <summary>A record's trace crosses the event log: client → Ingestion's gRPC span → Features' batch span → Training's trigger span.</summary>
public sealed class TracingTests : IAsyncLifetime
{
    private static readonly ActivitySource Client = new("Cascade.Tests.Client");
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;
    private readonly HostFixture _host = new();

    public TracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Microsoft.AspNetCore" or "Cascade.Events" or "Cascade.Tests.Client",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public Task InitializeAsync() => _host.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _listener.Dispose();
    }

    [Fact]
    public async Task A_record_ingested_under_a_trace_is_linked_from_the_materialization_that_carries_it_to_training()
    {
        var spec = new DatasetSpec { Name = "traced", EntityColumn = "device", EventTimeColumn = "ts", Columns = { new ColumnSpec { Name = "x", Type = Cascade.Contracts.Common.V1.ValueType.Float64, Required = true } } };
        await new IngestionClient(_host.Channel).RegisterDatasetAsync(new RegisterDatasetRequest { Spec = spec }, GrpcCalls.Within(TimeSpan.FromSeconds(30)));
        await new FeaturesClient(_host.Channel).ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = new FeatureViewSpec { Name = "traced-view", Dataset = "traced", Passthrough = { "x" } } }, GrpcCalls.Within(TimeSpan.FromSeconds(30)));

        ActivityTraceId trace;
        using (var root = Client.StartActivity("producer.send"))
        {
            trace = root!.TraceId;
            var record = new Cascade.Contracts.Ingestion.V1.Record { RecordId = "r1", EntityId = "d1", EventTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow), Values = { ["x"] = new Value { Float64Value = 1 } } };
            var response = await new IngestionClient(_host.Channel).IngestBatchAsync(new IngestRequest { Dataset = "traced", Records = { record } }, GrpcCalls.Within(TimeSpan.FromSeconds(30)));
            response.Accepted.Should().Be(1);
        }

        // Ingestion's server span belongs to the client's trace.
        (await SpanAsync(() => _stopped.FirstOrDefault(a => a.Source.Name == "Microsoft.AspNetCore" && a.TraceId == trace), "ingestion's server span arrives")).Should().NotBeNull();
        // Features' batch span links that trace, and Training's span continues the batch span through FeaturesMaterialized.
        var materialize = await SpanAsync(() => _stopped.FirstOrDefault(a => a.OperationName == "features.materialize" && a.Links.Any(l => l.Context.TraceId == trace)), "the features.materialize span arrives");
        materialize.GetTagItem("cascade.feature_view").Should().Be("traced-view");
        var consider = await SpanAsync(() => _stopped.FirstOrDefault(a => a.OperationName == "training.consider" && a.ParentSpanId == materialize.SpanId), "the training.consider span arrives");
        consider.TraceId.Should().Be(materialize.TraceId);
    }

    private static async Task<Activity> SpanAsync(Func<Activity?> find, string what) =>
        (await Eventually.WaitForAsync(() => Task.FromResult(find()), span => span is not null, what, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50)))!;
}
