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
public sealed class RecordIngestor(DatasetRegistry datasets, IngestionStore store, IEventLog log, WatermarkTracker watermarks, IngestionOptions options)
{
    private const string Producer = "cascade-ingestion";

    // One batch at a time per process decides what to append and queues it: the duplicate check and the queueing
    // must not interleave with another batch carrying the same record ids, and batches queue in arrival order, so
    // a key's records stay in order across batches. Waiting for the broker happens outside it.
    private readonly SemaphoreSlim _serial = new(1, 1);

    // Ids queued but not yet confirmed, by dataset (ids are scoped to theirs), with the append that carries them: a
    // later batch repeating one is a duplicate only if that append succeeds.
    private readonly Dictionary<(string Dataset, string Id), Task> _inFlight = [];

    /// <summary>Ingests a batch and waits until the log has it.</summary>
    /// <exception cref="DatasetNotFoundException">The dataset is not registered.</exception>
    public async Task<IngestResponse> IngestAsync(string dataset, IReadOnlyList<Record> records, CancellationToken cancellationToken) =>
        await await StartAsync(dataset, records, cancellationToken);

    /// <summary>
    /// Validates a batch and queues its new records for the log, in order after every batch started before it;
    /// returns once they are queued, with the task that completes when the log has confirmed them. Callers
    /// streaming many batches start the next one while earlier ones are still on their way to the broker.
    /// </summary>
    /// <exception cref="DatasetNotFoundException">The dataset is not registered.</exception>
    public async Task<Task<IngestResponse>> StartAsync(string dataset, IReadOnlyList<Record> records, CancellationToken cancellationToken)
    {
        var (schema, version) = datasets.Find(dataset) ?? throw new DatasetNotFoundException(dataset);
        if (records.Count > options.MaxRecordsPerBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(records), $"A batch may hold {options.MaxRecordsPerBatch} records, this one has {records.Count}: split it.");
        }
        var maxBytes = schema.Spec.MaxRecordBytes > 0 ? schema.Spec.MaxRecordBytes : options.DefaultMaxRecordBytes;
        var response = new IngestResponse();
        var topic = Topics.Data(dataset);
        var now = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
        var traceparent = System.Diagnostics.Activity.Current?.Id ?? string.Empty;
        // Outside the ordering lock: validation, ids and the envelopes of the batch's distinct records, the costly part
        // of a large batch, so that the lock every caller waits for covers only the duplicate check and the queueing.
        // A record repeated within the batch is acknowledged but not appended again.
        var candidates = new List<Candidate>(records.Count);
        var inBatch = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var id = RecordIds.For(record);
            if (RecordValidator.Validate(schema, record, maxBytes) is { } problem)
            {
                response.Errors.Add(new RecordError { Index = i, RecordId = id, Field = problem.Field, Reason = problem.Reason });
                continue;
            }
            if (!inBatch.Add(id))
            {
                response.Duplicates++;
                continue;
            }
            // The record id is the event id: re-publishing the same record yields the same event.
            candidates.Add(new Candidate(id, new OutgoingRecord(record.EntityId,
                DataRecordEnvelope.Write(dataset, version, id, record, ingestedAt: now, Producer, occurredAt: now, traceparent))));
        }

        var accepted = new List<Candidate>(candidates.Count);
        var dependencies = new HashSet<Task>();
        Task<IReadOnlyList<RecordPosition>> append;
        await _serial.WaitAsync(cancellationToken);
        try
        {
            var ingested = store.AlreadyIngested(dataset, candidates.Select(c => c.Id).ToArray());
            foreach (var candidate in candidates)
            {
                // A record already ingested is acknowledged but not appended again.
                if (ingested.Contains(candidate.Id)) response.Duplicates++;
                else if (_inFlight.TryGetValue((dataset, candidate.Id), out var carrier))
                {
                    dependencies.Add(carrier);
                    response.Duplicates++;
                }
                else accepted.Add(candidate);
            }
            if (accepted.Count > 0)
            {
                // Returns once the records are queued in order (a large batch is written after this returns).
                append = log.AppendAsync(topic, accepted.Select(a => a.Record).ToArray(), cancellationToken);
                foreach (var candidate in accepted) _inFlight[(dataset, candidate.Id)] = append;
            }
            else append = Task.FromResult<IReadOnlyList<RecordPosition>>([]);
        }
        finally
        {
            _serial.Release();
        }
        response.Accepted = accepted.Count;
        return CompleteAsync(dataset, topic, accepted, append, dependencies, response, cancellationToken);
    }

    private async Task<IngestResponse> CompleteAsync(string dataset, string topic, List<Candidate> accepted,
        Task<IReadOnlyList<RecordPosition>> append, HashSet<Task> dependencies, IngestResponse response, CancellationToken cancellationToken)
    {
        try
        {
            watermarks.Advance(topic, await append);
            // After the append: a crash in between re-appends the batch when the producer re-sends it;
            // consumers see the same record id twice and drop the copy (at-least-once, never lost).
            if (accepted.Count > 0) store.MarkIngested(dataset, accepted.Select(a => a.Id).ToArray());
            IngestionMetrics.Count(dataset, accepted.Count, response.Errors.Count, response.Duplicates);
        }
        finally
        {
            if (accepted.Count > 0)
            {
                await _serial.WaitAsync(CancellationToken.None);
                foreach (var candidate in accepted) _inFlight.Remove((dataset, candidate.Id));
                _serial.Release();
            }
        }
        try
        {
            await Task.WhenAll(dependencies);
        }
        catch (Exception ex)
        {
            throw new EventLogException($"Records of this batch were also in an earlier batch whose append failed ({ex.Message}); send the batch again.", ex);
        }
        response.Watermark = await WatermarkAsync(topic, cancellationToken);
        return response;
    }

    /// <summary>Appends labels to the labels topic, keyed by model.</summary>
    public async Task<SubmitLabelsResponse> SubmitLabelsAsync(IReadOnlyList<Label> labels, CancellationToken cancellationToken)
    {
        // The same bound as a batch of records: a call of hundreds of thousands of labels kept the labels partition (and
        // the process's cores) busy past other callers' deadlines (found by the live fuzz campaign); the client splits it.
        if (labels.Count > options.MaxRecordsPerBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(labels), $"A call may submit {options.MaxRecordsPerBatch} labels, this one has {labels.Count}: split it.");
        }
        var response = new SubmitLabelsResponse();
        var outgoing = new List<OutgoingRecord>();
        for (var i = 0; i < labels.Count; i++)
        {
            var label = labels[i];
            // Monitoring joins every label it is given: one it cannot read (a blank model, a time that is no date) would
            // be retried and dead-lettered there, so it is refused here (found by fuzzing).
            string? reason = string.IsNullOrWhiteSpace(label.Model) ? "model is required"
                : string.IsNullOrEmpty(label.PredictionId) && string.IsNullOrEmpty(label.EntityId) ? "give prediction_id, or entity_id and event_time, to join the label to its prediction"
                : label.EventTime is { } time && !RecordValidator.IsValid(time) ? "event_time is not a valid timestamp (0001-01-01 to 9999-12-31 UTC, nanos 0 to 999999999)"
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

    /// <summary>A valid record of a batch, its id and what would be appended for it.</summary>
    private readonly record struct Candidate(string Id, OutgoingRecord Record);

    public async Task<Watermark> WatermarkAsync(string topic, CancellationToken cancellationToken)
    {
        var watermark = new Watermark { Topic = topic };
        foreach (var (partition, offset) in await watermarks.GetAsync(topic, cancellationToken))
        {
            watermark.Partitions.Add(new PartitionOffset { Partition = partition, Offset = offset });
        }
        return watermark;
    }
}

/// <summary>No dataset of that name is registered.</summary>
public sealed class DatasetNotFoundException(string dataset)
    : Exception($"Dataset '{dataset}' is not registered: call RegisterDataset first.");
