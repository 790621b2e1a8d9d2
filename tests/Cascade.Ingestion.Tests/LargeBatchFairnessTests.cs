using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Embedded;
using Cascade.Ingestion.Domain;
using Cascade.Ingestion.Options;
using Cascade.Ingestion.Storage;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;
using ValueType = Cascade.Contracts.Common.V1.ValueType;
using Record = Cascade.Contracts.Ingestion.V1.Record;
using Value = Cascade.Contracts.Common.V1.Value;

namespace Cascade.Ingestion.Tests;

/// <summary>
/// One caller's large batch (the fuzz campaign's huge repeated fields) must not hold other callers' batches and labels
/// until all of it is written, and must keep what Ingestion promises: a key's records in the order the batches
/// arrived, record ids deduplicated per dataset. The embedded log's <c>TransactionCommitted</c> hook holds the large
/// batch between two of its transactions, so what happens in between is fixed by the test, not by timing.
/// </summary>
public sealed class LargeBatchFairnessTests : IAsyncLifetime
{
    private const int PerTransaction = 100;
    private const int Large = 1_000;
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);
    private readonly string _directory = Directory.CreateTempSubdirectory("cascade-ingestion-fairness-").FullName;
    private SqliteEventLog _log = null!;
    private IngestionStore _store = null!;
    private RecordIngestor _ingestor = null!;

    public async Task InitializeAsync()
    {
        _log = new SqliteEventLog(new EmbeddedEventLogOptions
        {
            Path = Path.Combine(_directory, "events.db"), RetentionInterval = TimeSpan.FromHours(1), MaxRecordsPerTransaction = PerTransaction,
        });
        _store = new IngestionStore(Path.Combine(_directory, "ingestion.db"));
        var options = new IngestionOptions();
        var registry = new DatasetRegistry(_store, _log, options, new DatasetAnnouncer(_store, _log, NullLogger<DatasetAnnouncer>.Instance));
        foreach (var name in new[] { "big", "small" })
        {
            var spec = SchemaTests.Spec(("x", ValueType.Float64, true));
            spec.Name = name;
            await registry.RegisterAsync(spec, CancellationToken.None);
        }
        _ingestor = new RecordIngestor(registry, _store, _log, new WatermarkTracker(_log, TimeSpan.Zero), options);
    }

    private static Record Reading(string id, string entity, double x) => new()
    {
        RecordId = id,
        EntityId = entity,
        EventTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(x)),
        Values = { ["x"] = new Value { Float64Value = x } },
    };

    private static Record[] LargeBatch() => Enumerable.Range(0, Large).Select(i => Reading($"r{i}", $"e{i % 7}", i)).ToArray();

    private async Task<long> RecordsIn(string topic) => (await _log.GetEndOffsetsAsync(topic)).Values.Sum();

    /// <summary>Runs <paramref name="action"/> once, after the first transaction of an append to <paramref name="topic"/> commits.</summary>
    private void AfterFirstTransactionOf(string topic, Func<Task> action)
    {
        var done = false;
        _log.TransactionCommitted = async (committed, _, _) =>
        {
            if (committed != topic || done) return;
            done = true;
            await action();
        };
    }

    [Fact]
    public async Task Another_caller_s_batch_is_ingested_while_a_large_batch_is_still_being_written()
    {
        IngestResponse? small = null;
        var largeWhenSmallWasAnswered = -1L;
        AfterFirstTransactionOf(Topics.Data("big"), async () =>
        {
            small = await _ingestor.IngestAsync("small", [Reading("s1", "e1", 1)], CancellationToken.None).WaitAsync(HangGuard);
            largeWhenSmallWasAnswered = await RecordsIn(Topics.Data("big"));
        });

        var large = await _ingestor.IngestAsync("big", LargeBatch(), CancellationToken.None).WaitAsync(HangGuard);

        small!.Accepted.Should().Be(1);
        largeWhenSmallWasAnswered.Should().Be(PerTransaction, "the small batch was answered after the large one's first transaction, not after all of it");
        large.Accepted.Should().Be(Large);
        large.Watermark.Partitions.Sum(p => p.Offset).Should().Be(Large, "a batch is answered once all of it is on the log");
    }

    [Fact]
    public async Task Another_caller_s_labels_are_appended_while_a_large_label_batch_is_still_being_written()
    {
        // Two models in different partitions of the labels topic (which has the log's default 4).
        var models = Enumerable.Range(0, 100).Select(i => $"model-{i}").ToArray();
        var flooding = models[0];
        var other = models.First(m => KafkaPartitioner.Partition(m, 4) != KafkaPartitioner.Partition(flooding, 4));
        SubmitLabelsResponse? small = null;
        var labelsWhenSmallWasAnswered = -1L;
        AfterFirstTransactionOf(Topics.LabelsObserved, async () =>
        {
            small = await _ingestor.SubmitLabelsAsync([new Label { Model = other, PredictionId = "p", Value = 1 }], CancellationToken.None).WaitAsync(HangGuard);
            labelsWhenSmallWasAnswered = await RecordsIn(Topics.LabelsObserved);
        });
        var flood = Enumerable.Range(0, Large).Select(i => new Label { Model = flooding, PredictionId = "p", Value = 1 }).ToArray();

        var large = await _ingestor.SubmitLabelsAsync(flood, CancellationToken.None).WaitAsync(HangGuard);

        small!.Accepted.Should().Be(1);
        labelsWhenSmallWasAnswered.Should().Be(PerTransaction + 1);
        large.Accepted.Should().Be(Large);
        (await RecordsIn(Topics.LabelsObserved)).Should().Be(Large + 1);
    }

    [Fact]
    public async Task A_batch_that_arrives_while_a_large_batch_of_its_dataset_is_written_lands_after_it_for_each_entity()
    {
        Task<IngestResponse>? later = null;
        AfterFirstTransactionOf(Topics.Data("big"), () =>
        {
            later = _ingestor.IngestAsync("big", Enumerable.Range(0, 7).Select(e => Reading($"later-{e}", $"e{e}", Large + e)).ToArray(), CancellationToken.None);
            return Task.CompletedTask;
        });

        await _ingestor.IngestAsync("big", LargeBatch(), CancellationToken.None).WaitAsync(HangGuard);
        (await later!.WaitAsync(HangGuard)).Accepted.Should().Be(7);

        var stored = await ReadAsync(Topics.Data("big"), Large + 7);
        foreach (var entity in stored.GroupBy(r => r.EntityId))
        {
            entity.Select(r => r.Values["x"].Float64Value).Should().BeInAscendingOrder($"records of {entity.Key} keep the order their batches arrived in");
        }
    }

    [Fact]
    public async Task A_record_id_of_another_dataset_still_in_flight_is_not_a_duplicate()
    {
        Task<IngestResponse>? sameIdElsewhere = null;
        AfterFirstTransactionOf(Topics.Data("big"), () =>
        {
            // r999 is in the large batch's last transaction, queued and not written yet.
            sameIdElsewhere = _ingestor.IngestAsync("small", [Reading("r999", "e1", 1)], CancellationToken.None);
            return Task.CompletedTask;
        });

        await _ingestor.IngestAsync("big", LargeBatch(), CancellationToken.None).WaitAsync(HangGuard);
        var response = await sameIdElsewhere!.WaitAsync(HangGuard);

        response.Accepted.Should().Be(1, "record ids are scoped to their dataset");
        response.Duplicates.Should().Be(0);
        (await RecordsIn(Topics.Data("small"))).Should().Be(1);
    }

    private async Task<List<DataRecord>> ReadAsync(string topic, int expected)
    {
        await using var consumer = _log.Subscribe(new ConsumerOptions($"test-{Guid.NewGuid():N}", [topic], MaxBatchSize: 10_000));
        var records = new List<DataRecord>();
        while (records.Count < expected)
        {
            var batch = await consumer.ConsumeAsync(HangGuard);
            batch.Should().NotBeEmpty($"{expected} records were appended and {records.Count} read");
            records.AddRange(batch.Select(r => EventEnvelopes.Unwrap(EventEnvelope.Parser.ParseFrom(r.Value.Span), DataRecord.Parser)));
        }
        return records;
    }

    public async Task DisposeAsync()
    {
        await _log.DisposeAsync();
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
