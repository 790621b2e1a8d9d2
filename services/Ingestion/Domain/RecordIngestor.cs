using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.EventLog.Abstractions;
using Cascade.Ingestion.Options;
using Cascade.Ingestion.Storage;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Cascade.Ingestion.Domain;

/// <summary>
/// Validates a batch record by record, drops records already ingested (by record id), appends the valid ones to the
/// dataset's topic keyed by entity, and acknowledges with the watermark. An invalid record never costs the valid
/// records of its batch their place.
/// </summary>
public sealed class RecordIngestor(DatasetRegistry datasets, IngestionStore store, IEventLog log, IngestionOptions options)
{
    private const string Producer = "cascade-ingestion";

    // One batch at a time per process: the duplicate check and the append must not interleave with another
    // batch carrying the same record ids.
    private readonly SemaphoreSlim _serial = new(1, 1);

    /// <exception cref="DatasetNotFoundException">The dataset is not registered.</exception>
    public async Task<IngestResponse> IngestAsync(string dataset, IReadOnlyList<Record> records, CancellationToken cancellationToken)
    {
        var (schema, version) = datasets.Find(dataset) ?? throw new DatasetNotFoundException(dataset);
        if (records.Count > options.MaxRecordsPerBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(records), $"A batch may hold {options.MaxRecordsPerBatch} records, this one has {records.Count}: split it.");
        }
        var maxBytes = schema.Spec.MaxRecordBytes > 0 ? schema.Spec.MaxRecordBytes : options.DefaultMaxRecordBytes;
        var response = new IngestResponse();
        var candidates = new List<(string Id, Record Record)>(records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var id = RecordIds.For(record);
            if (RecordValidator.Validate(schema, record, maxBytes) is { } problem)
            {
                response.Errors.Add(new RecordError { Index = i, RecordId = id, Field = problem.Field, Reason = problem.Reason });
                continue;
            }
            candidates.Add((id, record));
        }

        var topic = Topics.Data(dataset);
        await _serial.WaitAsync(cancellationToken);
        try
        {
            var seen = store.AlreadyIngested(dataset, candidates.Select(c => c.Id));
            var accepted = new List<(string Id, Record Record)>(candidates.Count);
            foreach (var candidate in candidates)
            {
                // A record already ingested, or repeated within this batch, is acknowledged but not appended again.
                if (seen.Add(candidate.Id)) accepted.Add(candidate);
                else response.Duplicates++;
            }
            if (accepted.Count > 0)
            {
                var now = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
                var outgoing = accepted.Select(a => new OutgoingRecord(a.Record.EntityId, Envelope(dataset, version, a.Id, a.Record, now).ToByteArray())).ToArray();
                await log.AppendAsync(topic, outgoing, cancellationToken);
                // After the append: a crash in between re-appends the batch when the producer re-sends it;
                // consumers see the same record id twice and drop the copy (at-least-once, never lost).
                store.MarkIngested(dataset, accepted.Select(a => a.Id).ToArray());
            }
            response.Accepted = accepted.Count;
        }
        finally
        {
            _serial.Release();
        }
        response.Watermark = await WatermarkAsync(topic, cancellationToken);
        return response;
    }

    /// <summary>Appends labels to the labels topic, keyed by model.</summary>
    public async Task<SubmitLabelsResponse> SubmitLabelsAsync(IReadOnlyList<Label> labels, CancellationToken cancellationToken)
    {
        var response = new SubmitLabelsResponse();
        var outgoing = new List<OutgoingRecord>();
        for (var i = 0; i < labels.Count; i++)
        {
            var label = labels[i];
            string? reason = string.IsNullOrEmpty(label.Model) ? "model is required"
                : string.IsNullOrEmpty(label.PredictionId) && string.IsNullOrEmpty(label.EntityId) ? "give prediction_id, or entity_id and event_time, to join the label to its prediction"
                : !double.IsFinite(label.Value) ? "label is NaN or infinite" : null;
            if (reason is not null)
            {
                response.Errors.Add(new RecordError { Index = i, RecordId = label.PredictionId, Field = "label", Reason = reason });
                continue;
            }
            var observed = new LabelObserved { Model = label.Model, PredictionId = label.PredictionId, EntityId = label.EntityId, EventTime = label.EventTime, Label = label.Value };
            outgoing.Add(new OutgoingRecord(label.Model, EventEnvelopes.Wrap(observed, label.Model, Producer).ToByteArray()));
        }
        if (outgoing.Count > 0)
        {
            await log.AppendAsync(Topics.LabelsObserved, outgoing, cancellationToken);
        }
        response.Accepted = outgoing.Count;
        return response;
    }

    public async Task<Watermark> WatermarkAsync(string topic, CancellationToken cancellationToken)
    {
        var watermark = new Watermark { Topic = topic };
        foreach (var (partition, offset) in (await log.GetEndOffsetsAsync(topic, cancellationToken)).OrderBy(e => e.Key))
        {
            watermark.Partitions.Add(new PartitionOffset { Partition = partition, Offset = offset });
        }
        return watermark;
    }

    private static EventEnvelope Envelope(string dataset, int version, string recordId, Record record, Timestamp ingestedAt)
    {
        var data = new DataRecord
        {
            Dataset = dataset,
            SchemaVersion = version,
            RecordId = recordId,
            EntityId = record.EntityId,
            EventTime = record.EventTime,
            IngestedAt = ingestedAt,
        };
        data.Values.Add(record.Values);
        if (record.HasLabel) data.Label = record.Label;
        // The record id is the event id: re-publishing the same record yields the same event.
        return EventEnvelopes.Wrap(data, record.EntityId, Producer, eventId: recordId);
    }
}

/// <summary>No dataset of that name is registered.</summary>
public sealed class DatasetNotFoundException(string dataset)
    : Exception($"Dataset '{dataset}' is not registered: call RegisterDataset first.");
