using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Ingestion.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Cascade.Ingestion.Domain;

/// <summary>
/// The bytes of the <see cref="EventEnvelope"/> carrying a record's <see cref="DataRecord"/>, written straight from
/// the ingested <see cref="Record"/> into one array of the exact size. Why not build both messages: that copies the
/// values map (a dictionary and a linked list per record) and serializes the payload twice, about 2.6 KB of garbage
/// per record, the largest cost of ingestion at tens of thousands of records a second. The output is the
/// serialization Google.Protobuf gives the same messages (fields in number order, map entries in the record's
/// order), which the tests check byte for byte.
/// </summary>
public static class DataRecordEnvelope
{
    private static readonly string PayloadType = DataRecord.Descriptor.FullName;

    /// <summary>The envelope: event id = record id, partition key = entity id, and the DataRecord as its payload.</summary>
    public static byte[] Write(string dataset, int schemaVersion, string recordId, Record record, Timestamp ingestedAt,
        string producer, Timestamp occurredAt, string traceparent)
    {
        var payloadSize = PayloadSize(dataset, schemaVersion, recordId, record, ingestedAt);
        var size = StringField(recordId) + StringField(PayloadType) + 1 + CodedOutputStream.ComputeInt32Size(1)
            + MessageField(occurredAt) + StringField(producer) + StringField(traceparent) + StringField(record.EntityId)
            + 1 + CodedOutputStream.ComputeLengthSize(payloadSize) + payloadSize;
        var bytes = new byte[size];
        var output = new CodedOutputStream(bytes);
        WriteString(output, 1, recordId);
        WriteString(output, 2, PayloadType);
        output.WriteTag(3, WireFormat.WireType.Varint);
        output.WriteInt32(1);
        WriteMessage(output, 4, occurredAt);
        WriteString(output, 5, producer);
        WriteString(output, 6, traceparent);
        WriteString(output, 8, record.EntityId);
        output.WriteTag(9, WireFormat.WireType.LengthDelimited);
        output.WriteLength(payloadSize);
        WritePayload(output, dataset, schemaVersion, recordId, record, ingestedAt);
        output.CheckNoSpaceLeft();
        return bytes;
    }

    private static int PayloadSize(string dataset, int schemaVersion, string recordId, Record record, Timestamp ingestedAt)
    {
        var size = StringField(dataset) + (schemaVersion != 0 ? 1 + CodedOutputStream.ComputeInt32Size(schemaVersion) : 0)
            + StringField(recordId) + StringField(record.EntityId) + MessageField(record.EventTime)
            + (record.HasLabel ? 1 + sizeof(double) : 0) + MessageField(ingestedAt);
        foreach (var (name, value) in record.Values)
        {
            var entry = EntrySize(name, value);
            size += 1 + CodedOutputStream.ComputeLengthSize(entry) + entry;
        }
        return size;
    }

    private static void WritePayload(CodedOutputStream output, string dataset, int schemaVersion, string recordId, Record record, Timestamp ingestedAt)
    {
        WriteString(output, 1, dataset);
        if (schemaVersion != 0)
        {
            output.WriteTag(2, WireFormat.WireType.Varint);
            output.WriteInt32(schemaVersion);
        }
        WriteString(output, 3, recordId);
        WriteString(output, 4, record.EntityId);
        WriteMessage(output, 5, record.EventTime);
        foreach (var (name, value) in record.Values)
        {
            // A map entry is a message of its own: key = 1 (left out when empty, as for any proto3 string), value = 2
            // (always written, even an empty message).
            output.WriteTag(6, WireFormat.WireType.LengthDelimited);
            output.WriteLength(EntrySize(name, value));
            WriteString(output, 1, name);
            output.WriteTag(2, WireFormat.WireType.LengthDelimited);
            output.WriteMessage(value);
        }
        if (record.HasLabel)
        {
            output.WriteTag(7, WireFormat.WireType.Fixed64);
            output.WriteDouble(record.Label);
        }
        WriteMessage(output, 8, ingestedAt);
    }

    private static int EntrySize(string name, IMessage value) =>
        StringField(name) + 1 + CodedOutputStream.ComputeMessageSize(value);

    // proto3 leaves empty strings and absent messages out; every field number here is below 16, so a tag is one byte.
    private static int StringField(string value) => value.Length == 0 ? 0 : 1 + CodedOutputStream.ComputeStringSize(value);

    private static int MessageField(IMessage? value) => value is null ? 0 : 1 + CodedOutputStream.ComputeMessageSize(value);

    private static void WriteString(CodedOutputStream output, int field, string value)
    {
        if (value.Length == 0) return;
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
    }

    private static void WriteMessage(CodedOutputStream output, int field, IMessage? value)
    {
        if (value is null) return;
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteMessage(value);
    }
}
