using Cascade.Contracts.Events.V1;
using Cascade.Serving.Privacy;
using Google.Protobuf;

namespace Cascade.Serving.Domain;

/// <summary>
/// One answered prediction waiting for the log: what <see cref="PredictionLogged"/> carries, taken on the request path
/// without building the message (a struct, so queueing it allocates nothing).
/// </summary>
/// <param name="Time">When it was answered (UTC); also the envelope's <c>occurred_at</c>.</param>
/// <param name="Privacy">What the log withholds of <paramref name="Features"/> (null: nothing); applied when the record is
/// written, off the request path, so <paramref name="Features"/> keeps the values the model scored.</param>
/// <param name="Segment">The prediction's group of the version's segment column, before privacy (a sensitive column's is
/// hashed when written); null when the version has none or the request gave no value.</param>
public readonly record struct LoggedPrediction(
    string PredictionId, string RequestId, string Model, int Version, string EntityId, float[] Features, float[] Outputs,
    long LatencyMicros, DateTime Time, PredictionRole Role, LogPrivacy? Privacy = null, string? Segment = null);

/// <summary>
/// The bytes of the <see cref="EventEnvelope"/> carrying a <see cref="PredictionLogged"/>, written straight from a
/// <see cref="LoggedPrediction"/> into one array of the exact size. Why not build both messages: that is a
/// <see cref="PredictionLogged"/> with two repeated fields, two timestamps, the payload serialized into a
/// <see cref="ByteString"/> and copied again into the envelope's bytes, about 1 KB of garbage per prediction, more
/// than the model's evaluation costs. The output is the serialization Google.Protobuf gives the same messages (fields
/// in number order, proto3 defaults left out, repeated floats packed), which the tests check byte for byte.
/// </summary>
internal static class PredictionEnvelope
{
    public const string Producer = "cascade-serving";

    private static readonly string PayloadType = PredictionLogged.Descriptor.FullName;

    /// <summary>The envelope: event id = prediction id, partition key = model, occurred at = answered at, no trace context.</summary>
    public static byte[] Write(in LoggedPrediction prediction)
    {
        var (seconds, nanos) = UnixTime(prediction.Time);
        var withheld = Withheld(prediction);
        var segment = Segment(prediction);
        var payloadSize = PayloadSize(prediction, withheld, segment, seconds, nanos);
        var timestamp = TimestampSize(seconds, nanos);
        var size = StringField(prediction.PredictionId) + StringField(PayloadType) + 1 + CodedOutputStream.ComputeInt32Size(1)
            + 1 + CodedOutputStream.ComputeLengthSize(timestamp) + timestamp + StringField(Producer) + StringField(prediction.Model)
            + 1 + CodedOutputStream.ComputeLengthSize(payloadSize) + payloadSize;
        var bytes = new byte[size];
        var output = new CodedOutputStream(bytes);
        WriteString(output, 1, prediction.PredictionId);
        WriteString(output, 2, PayloadType);
        output.WriteTag(3, WireFormat.WireType.Varint);
        output.WriteInt32(1);
        WriteTimestamp(output, 4, seconds, nanos);
        WriteString(output, 5, Producer);
        WriteString(output, 8, prediction.Model);
        output.WriteTag(9, WireFormat.WireType.LengthDelimited);
        output.WriteLength(payloadSize);
        WritePayload(output, prediction, withheld, segment, seconds, nanos);
        output.CheckNoSpaceLeft();
        return bytes;
    }

    private static int PayloadSize(in LoggedPrediction p, WithheldEntry[]? withheld, string? segment, long seconds, int nanos)
    {
        var timestamp = TimestampSize(seconds, nanos);
        var size = StringField(p.PredictionId) + StringField(p.RequestId) + StringField(p.Model)
            + (p.Version != 0 ? 1 + CodedOutputStream.ComputeInt32Size(p.Version) : 0) + StringField(p.EntityId)
            + FloatsField(p.Features.Length) + FloatsField(p.Outputs.Length)
            + (p.LatencyMicros != 0 ? 1 + CodedOutputStream.ComputeInt64Size(p.LatencyMicros) : 0)
            + (p.Role == PredictionRole.Canary ? 2 : 0) + (p.Role == PredictionRole.Shadow ? 2 : 0)
            + 1 + CodedOutputStream.ComputeLengthSize(timestamp) + timestamp;
        foreach (var entry in withheld ?? [])
        {
            size += 1 + CodedOutputStream.ComputeLengthSize(entry.Size) + entry.Size;
        }
        return size + StringField(segment ?? string.Empty);
    }

    private static void WritePayload(CodedOutputStream output, in LoggedPrediction p, WithheldEntry[]? withheld, string? segment, long seconds, int nanos)
    {
        WriteString(output, 1, p.PredictionId);
        WriteString(output, 2, p.RequestId);
        WriteString(output, 3, p.Model);
        if (p.Version != 0)
        {
            output.WriteTag(4, WireFormat.WireType.Varint);
            output.WriteInt32(p.Version);
        }
        WriteString(output, 5, p.EntityId);
        if (p.Privacy is { IsEmpty: false } privacy)
        {
            WriteFloats(output, 6, p.Features, privacy);
        }
        else
        {
            WriteFloats(output, 6, p.Features);
        }
        WriteFloats(output, 7, p.Outputs);
        if (p.LatencyMicros != 0)
        {
            output.WriteTag(8, WireFormat.WireType.Varint);
            output.WriteInt64(p.LatencyMicros);
        }
        if (p.Role == PredictionRole.Canary)
        {
            output.WriteTag(9, WireFormat.WireType.Varint);
            output.WriteBool(true);
        }
        if (p.Role == PredictionRole.Shadow)
        {
            output.WriteTag(10, WireFormat.WireType.Varint);
            output.WriteBool(true);
        }
        WriteTimestamp(output, 11, seconds, nanos);
        foreach (var entry in withheld ?? [])
        {
            output.WriteTag(12, WireFormat.WireType.LengthDelimited);
            output.WriteLength(entry.Size);
            WriteString(output, 1, entry.Group.Name);
            output.WriteTag(2, WireFormat.WireType.LengthDelimited);
            output.WriteLength(entry.IndexesSize);
            foreach (var index in entry.Group.Indexes) output.WriteInt32(index);
            WriteString(output, 3, entry.Hash);
        }
        WriteString(output, 13, segment ?? string.Empty);
    }

    /// <summary>
    /// The segment as the log carries it: the label, or for a sensitive column (HASH) <c>hash:</c> and the label's keyed
    /// hash, so the groups stay apart without being readable; null for a column whose privacy is DROP, or unknown yet
    /// (a schema not learnt is never assumed harmless), and when there is no segment.
    /// </summary>
    private static string? Segment(in LoggedPrediction p)
    {
        if (string.IsNullOrEmpty(p.Segment)) return null;
        return (p.Privacy?.SegmentTreatment ?? FeatureTreatment.Keep) switch
        {
            FeatureTreatment.Keep => p.Segment,
            FeatureTreatment.Hash => p.Privacy!.HashSegment(p.Segment),
            _ => null,
        };
    }

    /// <summary>A withheld group as field 12 carries it: its hash (computed once) and its sizes.</summary>
    private readonly record struct WithheldEntry(WithheldGroup Group, string Hash, int IndexesSize, int Size);

    /// <summary>The withheld groups with their hashes and encoded sizes; null when nothing is withheld.</summary>
    private static WithheldEntry[]? Withheld(in LoggedPrediction p)
    {
        if (p.Privacy is not { IsEmpty: false } privacy) return null;
        var entries = new WithheldEntry[privacy.Groups.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            var group = privacy.Groups[i];
            var hash = privacy.HashOf(group, p.Features);
            var indexes = 0;
            foreach (var index in group.Indexes) indexes += CodedOutputStream.ComputeInt32Size(index);
            // The indexes are packed (one tag, a length, the varints), written even when the only index is 0.
            var size = StringField(group.Name) + 1 + CodedOutputStream.ComputeLengthSize(indexes) + indexes + StringField(hash);
            entries[i] = new WithheldEntry(group, hash, indexes, size);
        }
        return entries;
    }

    /// <summary>What <c>Timestamp.FromDateTime</c> stores: seconds since the Unix epoch, and the nanoseconds past the whole second.</summary>
    private static (long Seconds, int Nanos) UnixTime(DateTime utc) =>
        (utc.Ticks / TimeSpan.TicksPerSecond - DateTime.UnixEpoch.Ticks / TimeSpan.TicksPerSecond, (int)(utc.Ticks % TimeSpan.TicksPerSecond) * 100);

    private static int TimestampSize(long seconds, int nanos) =>
        (seconds != 0 ? 1 + CodedOutputStream.ComputeInt64Size(seconds) : 0) + (nanos != 0 ? 1 + CodedOutputStream.ComputeInt32Size(nanos) : 0);

    private static void WriteTimestamp(CodedOutputStream output, int field, long seconds, int nanos)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteLength(TimestampSize(seconds, nanos));
        if (seconds != 0)
        {
            output.WriteTag(1, WireFormat.WireType.Varint);
            output.WriteInt64(seconds);
        }
        if (nanos != 0)
        {
            output.WriteTag(2, WireFormat.WireType.Varint);
            output.WriteInt32(nanos);
        }
    }

    // proto3 repeated floats are packed: one tag, the length in bytes, then 4 little-endian bytes per value; none: left out.
    private static int FloatsField(int count) => count == 0 ? 0 : 1 + CodedOutputStream.ComputeLengthSize(count * sizeof(float)) + count * sizeof(float);

    private static void WriteFloats(CodedOutputStream output, int field, float[] values)
    {
        if (values.Length == 0) return;
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteLength(values.Length * sizeof(float));
        foreach (var value in values)
        {
            output.WriteFloat(value);
        }
    }

    /// <summary>The features with every withheld one written as NaN: the scored values never reach the log.</summary>
    private static void WriteFloats(CodedOutputStream output, int field, float[] values, LogPrivacy privacy)
    {
        if (values.Length == 0) return;
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteLength(values.Length * sizeof(float));
        for (var i = 0; i < values.Length; i++)
        {
            output.WriteFloat(privacy.IsWithheld(i) ? float.NaN : values[i]);
        }
    }

    // proto3 leaves empty strings out; every field number here is below 16, so a tag is one byte.
    private static int StringField(string value) => value.Length == 0 ? 0 : 1 + CodedOutputStream.ComputeStringSize(value);

    private static void WriteString(CodedOutputStream output, int field, string value)
    {
        if (value.Length == 0) return;
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
    }
}
