using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.EventLog.Abstractions;
using Grpc.Core;
using Grpc.Net.Client;
using Cascade.Host;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ValueType = Cascade.Contracts.Common.V1.ValueType;
using Record = Cascade.Contracts.Ingestion.V1.Record;
using Value = Cascade.Contracts.Common.V1.Value;

namespace Cascade.Ingestion.Tests;

/// <summary>The Ingestion API over real gRPC, in the all-in-one host on a temporary data directory.</summary>
public sealed class IngestionApiTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-ingestion-").FullName;
    private WebApplication _host = null!;
    private GrpcChannel _channel = null!;

    public Task InitializeAsync() => StartHostAsync();

    private async Task StartHostAsync()
    {
        var options = new AllInOneHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = _data };
        _host = AllInOneHost.Build(options, _ => { });
        await _host.StartAsync();
        _channel = GrpcChannel.ForAddress(AllInOneHost.GetAddresses(_host, options).Grpc);
    }

    private async Task StopHostAsync()
    {
        _channel.Dispose();
        await _host.StopAsync();
        await _host.DisposeAsync();
    }

    private static Record Reading(string id, string entity, double x) => new()
    {
        RecordId = id,
        EntityId = entity,
        EventTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(x)),
        Values = { ["x"] = new Value { Float64Value = x } },
        Label = 1,
    };

    private async Task RegisterAsync() =>
        await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(_channel).RegisterDatasetAsync(new RegisterDatasetRequest { Spec = SchemaTests.Spec(("x", ValueType.Float64, true)) });

    private async Task<List<DataRecord>> ReadTopicAsync()
    {
        var log = _host.Services.GetRequiredService<IEventLog>();
        await using var consumer = log.Subscribe(new ConsumerOptions($"test-{Guid.NewGuid():N}", [Topics.Data("sensors")], MaxBatchSize: 10_000));
        var records = new List<DataRecord>();
        while (true)
        {
            var batch = await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(300));
            if (batch.Count == 0) return records;
            records.AddRange(batch.Select(r => EventEnvelopes.Unwrap(EventEnvelope.Parser.ParseFrom(r.Value.Span), DataRecord.Parser)));
        }
    }

    [Fact]
    public async Task A_bad_record_is_reported_and_the_valid_records_of_its_batch_are_appended()
    {
        await RegisterAsync();
        var bad = Reading("r2", "", 2);
        var response = await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(_channel).IngestBatchAsync(new IngestRequest { Dataset = "sensors", Records = { Reading("r1", "a", 1), bad, Reading("r3", "b", 3) } });
        response.Accepted.Should().Be(2);
        response.Errors.Should().ContainSingle().Which.Index.Should().Be(1);
        response.Watermark.Partitions.Sum(p => p.Offset).Should().Be(2);
        var stored = await ReadTopicAsync();
        stored.Select(r => r.RecordId).Should().BeEquivalentTo("r1", "r3");
        stored.Should().AllSatisfy(r => r.Label.Should().Be(1));
    }

    [Fact]
    public async Task A_re_sent_record_is_not_appended_twice_even_after_a_restart()
    {
        await RegisterAsync();
        using (var call = new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(_channel).Ingest())
        {
            await call.RequestStream.WriteAsync(new IngestRequest { Dataset = "sensors", Records = { Reading("r1", "a", 1), Reading("r2", "a", 2) } });
            await call.RequestStream.WriteAsync(new IngestRequest { Dataset = "sensors", Records = { Reading("r2", "a", 2), Reading("r3", "a", 3) } });
            await call.RequestStream.CompleteAsync();
            var response = await call.ResponseAsync;
            response.Accepted.Should().Be(3);
            response.Duplicates.Should().Be(1);
        }

        await StopHostAsync();
        await StartHostAsync();

        var again = await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(_channel).IngestBatchAsync(new IngestRequest { Dataset = "sensors", Records = { Reading("r3", "a", 3), Reading("r4", "a", 4) } });
        again.Accepted.Should().Be(1);
        again.Duplicates.Should().Be(1);
        (await ReadTopicAsync()).Select(r => r.RecordId).Should().BeEquivalentTo("r1", "r2", "r3", "r4");
        var dataset = await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(_channel).GetDatasetAsync(new GetDatasetRequest { Name = "sensors" });
        dataset.Meta.RecordsAccepted.Should().Be(4);
    }

    [Fact]
    public async Task Batches_of_a_stream_queued_while_earlier_ones_are_in_flight_keep_each_entity_in_order()
    {
        await RegisterAsync();
        using (var call = new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(_channel).Ingest())
        {
            for (var batch = 0; batch < 40; batch++)
            {
                var request = new IngestRequest { Dataset = "sensors" };
                for (var i = 0; i < 50; i++)
                {
                    var n = batch * 50 + i;
                    request.Records.Add(Reading($"r{n}", $"e{n % 3}", n));
                }
                // Every 10th batch repeats the previous batch's last record, which may still be on its way to the log.
                if (batch % 10 == 9) request.Records.Add(Reading($"r{batch * 50 - 1}", $"e{(batch * 50 - 1) % 3}", batch * 50 - 1));
                await call.RequestStream.WriteAsync(request);
            }
            await call.RequestStream.CompleteAsync();
            var response = await call.ResponseAsync;
            response.Accepted.Should().Be(2000);
            response.Duplicates.Should().Be(4);
            response.Watermark.Partitions.Sum(p => p.Offset).Should().Be(2000, "the acknowledgement covers every record of the stream");
        }
        var stored = await ReadTopicAsync();
        stored.Should().HaveCount(2000);
        foreach (var entity in stored.GroupBy(r => r.EntityId))
        {
            entity.Select(r => r.Values["x"].Float64Value).Should().BeInAscendingOrder($"records of {entity.Key} keep the order they were sent in");
        }
    }

    [Fact]
    public async Task An_incompatible_schema_change_is_failed_precondition_and_a_compatible_one_makes_version_2()
    {
        await RegisterAsync();
        var incompatible = SchemaTests.Spec(("x", ValueType.String, true));
        var act = async () => await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(_channel).RegisterDatasetAsync(new RegisterDatasetRequest { Spec = incompatible });
        var error = (await act.Should().ThrowAsync<RpcException>()).Which;
        error.StatusCode.Should().Be(StatusCode.FailedPrecondition);
        error.Status.Detail.Should().Contain("'x' changes type");

        var compatible = SchemaTests.Spec(("x", ValueType.Float64, true), ("y", ValueType.Int64, false));
        var dataset = await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(_channel).RegisterDatasetAsync(new RegisterDatasetRequest { Spec = compatible });
        dataset.Meta.SchemaVersion.Should().Be(2);
    }

    [Fact]
    public async Task Unknown_datasets_are_not_found_and_invalid_specs_are_invalid_argument()
    {
        var unknown = async () => await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(_channel).IngestBatchAsync(new IngestRequest { Dataset = "nope", Records = { Reading("r", "a", 1) } });
        (await unknown.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.NotFound);
        var invalid = async () => await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(_channel).RegisterDatasetAsync(new RegisterDatasetRequest { Spec = new DatasetSpec { Name = "x" } });
        (await invalid.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.InvalidArgument);
    }

    [Fact]
    public async Task Labels_are_appended_to_the_labels_topic_and_bad_ones_reported()
    {
        var response = await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(_channel).SubmitLabelsAsync(new SubmitLabelsRequest
        {
            Labels = { new Label { Model = "m", PredictionId = "p1", Value = 1 }, new Label { Model = "m", Value = 0 } },
        });
        response.Accepted.Should().Be(1);
        response.Errors.Should().ContainSingle().Which.Index.Should().Be(1);
        (await _host.Services.GetRequiredService<IEventLog>().GetEndOffsetsAsync(Topics.LabelsObserved)).Values.Sum().Should().Be(1);
    }

    [Fact]
    public async Task More_labels_than_a_batch_may_hold_are_refused_whole_with_resource_exhausted()
    {
        // Found by the live fuzz campaign: a call of hundreds of thousands of labels held other callers past their deadlines.
        var request = new SubmitLabelsRequest();
        request.Labels.Add(Enumerable.Range(0, 10_001).Select(i => new Label { Model = "m", PredictionId = $"p{i}", Value = 1 }));

        var submit = async () => await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(_channel).SubmitLabelsAsync(request);

        var refused = (await submit.Should().ThrowAsync<RpcException>()).Which;
        refused.StatusCode.Should().Be(StatusCode.ResourceExhausted);
        refused.Status.Detail.Should().Be("A call may submit 10000 labels, this one has 10001: split it.");
        (await _host.Services.GetRequiredService<IEventLog>().GetEndOffsetsAsync(Topics.LabelsObserved)).Values.Sum().Should().Be(0, "nothing of a refused call is appended");
    }

    public async Task DisposeAsync()
    {
        await StopHostAsync();
        Directory.Delete(_data, recursive: true);
    }
}
