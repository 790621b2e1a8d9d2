using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.EventLog.Abstractions;
using Cascade.Features.Erasure;
using Cascade.Features.Options;
using Google.Protobuf;

namespace Cascade.Features.Vocabulary;

/// <summary>
/// Reads a dataset's data topic from the beginning, as far as its end when the scan starts (or a record limit), with
/// a consumer group of its own that never commits: the materializers' groups and offsets are untouched, and records
/// appended during the scan belong to the next one.
/// </summary>
public sealed class DataTopicScanner(IEventLog log, VocabularyOptions options, EntityErasures erasures)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    /// <summary>Counts the values of <paramref name="columns"/> in up to <paramref name="maxRecords"/> records of <paramref name="dataset"/>.</summary>
    /// <exception cref="TimeoutException">The topic could not be read to its end within <see cref="VocabularyOptions.Timeout"/>.</exception>
    public async Task<ColumnScan> ScanAsync(string dataset, IReadOnlyCollection<string> columns, int maxRecords, CancellationToken cancellationToken)
    {
        var scan = new ColumnScan(columns);
        var topic = Topics.Data(dataset);
        var ends = await log.GetEndOffsetsAsync(topic, cancellationToken);
        var remaining = ends.Where(e => e.Value > 0).ToDictionary(e => e.Key, e => e.Value);
        if (remaining.Count == 0) return scan; // no topic yet, or nothing in it

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        var group = $"cascade-features.vocabulary.{dataset}.{Guid.NewGuid():N}";
        await using var consumer = log.Subscribe(new ConsumerOptions(group, [topic], MaxBatchSize: 1000, StartPosition: StartPosition.Earliest));
        try
        {
            while (remaining.Count > 0)
            {
                foreach (var record in await consumer.ConsumeAsync(Poll, timeout.Token))
                {
                    if (!remaining.TryGetValue(record.Partition, out var end) || record.Offset >= end) continue; // appended after the scan began
                    if (record.Offset + 1 >= end) remaining.Remove(record.Partition);
                    Count(scan, dataset, record);
                    if (scan.Records + scan.Unreadable >= maxRecords)
                    {
                        scan.Truncated = remaining.Count > 0;
                        return scan;
                    }
                }
            }
            return scan;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The records of dataset '{dataset}' could not be read within {options.Timeout.TotalSeconds:0} s ({scan.Records:N0} read): is the event log reachable? Retry, or list the vocabulary.");
        }
    }

    private void Count(ColumnScan scan, string dataset, ConsumedRecord consumed)
    {
        DataRecord record;
        try
        {
            record = EventEnvelopes.Unwrap(EventEnvelope.Parser.ParseFrom(consumed.Value.Span), DataRecord.Parser);
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidDataException)
        {
            scan.AddUnreadable(); // a poison record: the materializer dead-letters it, the vocabulary ignores it
            return;
        }
        // An erased entity's values must not come back as a vocabulary either.
        if (erasures.Skips(dataset, record.EntityId, consumed.Partition, consumed.Offset)) return;
        scan.Add(record.Values, $"record '{record.RecordId}' of entity '{record.EntityId}'");
    }
}
