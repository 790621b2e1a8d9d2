using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Ingestion.Domain;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Record = Cascade.Contracts.Ingestion.V1.Record;
using Value = Cascade.Contracts.Common.V1.Value;

namespace Cascade.Ingestion.Tests;

/// <summary>The envelope written straight from a record is the one Google.Protobuf writes for the same messages.</summary>
public class DataRecordEnvelopeTests
{
    private static readonly Timestamp IngestedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 2, 10, 0, 0, 123, TimeSpan.Zero));

    public static TheoryData<string, Record, string> Records() => new()
    {
        { "every kind of value and a label", Make("r-1", "device-7", label: 1.0, ("temp", new Value { Float64Value = 21.5 }), ("count", new Value { Int64Value = -3 }), ("site", new Value { StringValue = "Zürich ☃" }), ("on", new Value { BoolValue = true }), ("missing", new Value())), "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
        { "no label, no trace, zero values", Make("r-2", "d", label: null, ("zero", new Value { Float64Value = 0 }), ("false", new Value { BoolValue = false })), "" },
        { "no values, long ids", Make(new string('x', 300), new string('é', 200), label: -0.0), "" },
        { "no event time", new Record { RecordId = "r-4", EntityId = "e" }, "" },
        { "an empty column name (Google.Protobuf leaves the key out)", Make("r-5", "e", label: 0, ("", new Value { Float64Value = 1 })), "" },
    };

    private static Record Make(string id, string entity, double? label, params (string Name, Value Value)[] values)
    {
        var record = new Record { RecordId = id, EntityId = entity, EventTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 1, 8, 30, 0, TimeSpan.Zero)) };
        if (label is { } l) record.Label = l;
        foreach (var (name, value) in values) record.Values.Add(name, value);
        return record;
    }

    [Theory]
    [MemberData(nameof(Records))]
    public void It_is_byte_for_byte_the_envelope_of_the_data_record(string why, Record record, string traceparent)
    {
        Check(why, "sensors", 3, record, traceparent);
        Check(why + ", no dataset name nor schema version", string.Empty, 0, record, traceparent);
    }

    private static void Check(string why, string dataset, int schemaVersion, Record record, string traceparent)
    {
        var data = new DataRecord { Dataset = dataset, SchemaVersion = schemaVersion, RecordId = record.RecordId, EntityId = record.EntityId, EventTime = record.EventTime, IngestedAt = IngestedAt };
        data.Values.Add(record.Values);
        if (record.HasLabel) data.Label = record.Label;
        var expected = EventEnvelopes.Wrap(data, record.EntityId, "cascade-ingestion", eventId: record.RecordId, traceparent: traceparent);
        expected.OccurredAt = IngestedAt;

        var written = DataRecordEnvelope.Write(dataset, schemaVersion, record.RecordId, record, IngestedAt, "cascade-ingestion", IngestedAt, traceparent);

        written.Should().Equal(expected.ToByteArray(), why);
        var parsed = EventEnvelope.Parser.ParseFrom(written);
        EventEnvelopes.Unwrap(parsed, DataRecord.Parser).Should().Be(data, why);
    }
}
