using System.Text;
using Cascade.Contracts.Events.V1;
using Cascade.Monitoring.Domain;

namespace Cascade.Monitoring.Streaming;

/// <summary>
/// Reads what Monitoring needs of a logged prediction straight from the bytes of its <see cref="EventEnvelope"/>:
/// the payload type, then of the <see cref="PredictionLogged"/> the ids, model, version, time, shadow flag, the
/// feature and output vectors, the withheld positions and the segment. Everything else (event id, producer, request
/// id, latency, hashes, unknown fields) is skipped unread.
/// </summary>
/// <remarks>
/// Why not Google.Protobuf: parsing builds two messages per prediction (strings for every id, two repeated fields,
/// two timestamps, the payload copied into a ByteString) only for Monitoring to copy the vectors once more, which
/// cost more than observing the prediction (docs/performance.md, "Monitoring: reading predictions"). Here the vectors
/// land in buffers reused from one record to the next, the model name is decoded once per run of the same model,
/// a segment is decoded once per distinct value (a model has a few), and the only strings made per record are the
/// prediction and entity ids the label join keeps. It reads what Google.Protobuf
/// reads from the same bytes (any field order, repeated fields packed or not, a field given twice: the last value, a
/// timestamp given twice: merged), which the tests check on varied messages. Not thread-safe: one per consumer.
/// </remarks>
internal sealed class PredictionLogReader
{
    // Tags (field number << 3 | wire type) of the fields read. Wire types: 0 varint, 2 length-delimited, 5 fixed32.
    private const uint EnvelopeType = 2 << 3 | 2, EnvelopePayload = 9 << 3 | 2;
    private const uint PredictionId = 1 << 3 | 2, Model = 3 << 3 | 2, Version = 4 << 3 | 0, EntityId = 5 << 3 | 2,
        FeaturesPacked = 6 << 3 | 2, Feature = 6 << 3 | 5, OutputsPacked = 7 << 3 | 2, Output = 7 << 3 | 5,
        Shadow = 10 << 3 | 0, Time = 11 << 3 | 2, Withheld = 12 << 3 | 2, Segment = 13 << 3 | 2;
    private const uint TimestampSeconds = 1 << 3 | 0, TimestampNanos = 2 << 3 | 0;
    private const uint WithheldIndexesPacked = 2 << 3 | 2, WithheldIndex = 2 << 3 | 0;

    // Timestamp's valid range (0001-01-01 to 9999-12-31), as Google.Protobuf checks it before converting.
    private const long MinSeconds = -62_135_596_800, MaxSeconds = 253_402_300_799;

    private static ReadOnlySpan<byte> PredictionLoggedType => "cascade.events.v1.PredictionLogged"u8;

    private float[] features = new float[64];
    private float[] outputs = new float[8];
    private int[] withheld = new int[8];
    private byte[] modelUtf8 = [];
    private string model = "";
    // The segments met so far, by their UTF-8 bytes: a version's segments are its column's few groups, so decoding each
    // once spares a string per record. Bounded: past it (a column of many values, each beyond the tracked ones in
    // "other" anyway), new ones are decoded every time.
    private readonly Dictionary<int, (byte[] Utf8, string Text)> segments = [];
    private const int MaxCachedSegments = 256;

    /// <summary>The payload type's name this reader recognises (the tests check it is <see cref="PredictionLogged"/>'s).</summary>
    internal static string PayloadTypeName => Encoding.UTF8.GetString(PredictionLoggedType);

    /// <summary>Whether <paramref name="envelope"/> carries a <see cref="PredictionLogged"/>; its payload's bytes when so.</summary>
    public static bool TryGetPayload(ReadOnlySpan<byte> envelope, out ReadOnlySpan<byte> payload)
    {
        var reader = new WireReader(envelope);
        ReadOnlySpan<byte> type = default;
        payload = default;
        while (!reader.End)
        {
            var tag = reader.ReadTag();
            switch (tag)
            {
                case EnvelopeType: type = reader.ReadLengthDelimited(); break;
                case EnvelopePayload: payload = reader.ReadLengthDelimited(); break;
                default: reader.Skip(tag); break;
            }
        }
        return type.SequenceEqual(PredictionLoggedType);
    }

    /// <summary>
    /// The prediction in <paramref name="payload"/> (a <see cref="PredictionLogged"/>) at <paramref name="offset"/>;
    /// <paramref name="appendedAt"/> stands in for a missing time. Its vectors are this reader's buffers: valid until
    /// the next call.
    /// </summary>
    /// <param name="shadow">Whether it is a shadow's prediction (scored, never served).</param>
    public PredictionRecord Read(ReadOnlySpan<byte> payload, long offset, DateTimeOffset appendedAt, out bool shadow)
    {
        var reader = new WireReader(payload);
        string predictionId = "", entityId = "";
        string? segment = null;
        ReadOnlySpan<byte> modelName = default;
        var version = 0;
        int featureCount = 0, outputCount = 0, withheldCount = 0;
        long seconds = 0;
        var nanos = 0;
        var timed = false;
        shadow = false;
        while (!reader.End)
        {
            var tag = reader.ReadTag();
            switch (tag)
            {
                case PredictionId: predictionId = Encoding.UTF8.GetString(reader.ReadLengthDelimited()); break;
                case Model: modelName = reader.ReadLengthDelimited(); break;
                case Version: version = (int)reader.ReadVarint(); break;
                case EntityId: entityId = Encoding.UTF8.GetString(reader.ReadLengthDelimited()); break;
                case FeaturesPacked: ReadPackedFloats(reader.ReadLengthDelimited(), ref features, ref featureCount); break;
                case Feature: Append(ref features, ref featureCount, reader.ReadFloat()); break;
                case OutputsPacked: ReadPackedFloats(reader.ReadLengthDelimited(), ref outputs, ref outputCount); break;
                case Output: Append(ref outputs, ref outputCount, reader.ReadFloat()); break;
                case Shadow: shadow = reader.ReadVarint() != 0; break;
                case Time:
                    ReadTimestamp(reader.ReadLengthDelimited(), ref seconds, ref nanos);
                    timed = true;
                    break;
                case Withheld: ReadWithheld(reader.ReadLengthDelimited(), ref withheld, ref withheldCount); break;
                case Segment: segment = SegmentText(reader.ReadLengthDelimited()); break;
                default: reader.Skip(tag); break;
            }
        }
        return new PredictionRecord(predictionId, ModelName(modelName), version, entityId, timed ? ToTime(seconds, nanos) : appendedAt, offset,
            features.AsMemory(0, featureCount), outputs.AsMemory(0, outputCount), withheld.AsMemory(0, withheldCount), segment);
    }

    /// <summary>A segment's text, from the cache when it was met before; null for an empty one (proto3's default, as if absent).</summary>
    private string? SegmentText(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty) return null;
        var hash = new HashCode();
        hash.AddBytes(utf8);
        var key = hash.ToHashCode();
        if (segments.TryGetValue(key, out var known) && utf8.SequenceEqual(known.Utf8)) return known.Text;
        var decoded = Encoding.UTF8.GetString(utf8);
        if (segments.Count < MaxCachedSegments) segments.TryAdd(key, (utf8.ToArray(), decoded)); // a colliding one is decoded each time
        return decoded;
    }

    /// <summary>The model's name, decoded only when it differs from the previous record's (a model's predictions come in runs).</summary>
    private string ModelName(ReadOnlySpan<byte> utf8)
    {
        if (!utf8.SequenceEqual(modelUtf8))
        {
            modelUtf8 = utf8.ToArray();
            model = Encoding.UTF8.GetString(utf8);
        }
        return model;
    }

    private static void ReadPackedFloats(ReadOnlySpan<byte> packed, ref float[] values, ref int count)
    {
        if (packed.Length % sizeof(float) != 0) throw new InvalidDataException("Not valid protobuf: a packed float field is not a whole number of floats.");
        var reader = new WireReader(packed);
        while (!reader.End) Append(ref values, ref count, reader.ReadFloat());
    }

    /// <summary>A <c>WithheldFeature</c>: only its indexes (packed or not) matter here; its name and hash are skipped.</summary>
    private static void ReadWithheld(ReadOnlySpan<byte> message, ref int[] indexes, ref int count)
    {
        var reader = new WireReader(message);
        while (!reader.End)
        {
            var tag = reader.ReadTag();
            if (tag == WithheldIndex)
            {
                Append(ref indexes, ref count, (int)reader.ReadVarint());
            }
            else if (tag == WithheldIndexesPacked)
            {
                var packed = new WireReader(reader.ReadLengthDelimited());
                while (!packed.End) Append(ref indexes, ref count, (int)packed.ReadVarint());
            }
            else
            {
                reader.Skip(tag);
            }
        }
    }

    /// <summary>A <c>google.protobuf.Timestamp</c>; a second occurrence of the field merges into the first, as in Google.Protobuf.</summary>
    private static void ReadTimestamp(ReadOnlySpan<byte> message, ref long seconds, ref int nanos)
    {
        var reader = new WireReader(message);
        while (!reader.End)
        {
            var tag = reader.ReadTag();
            switch (tag)
            {
                case TimestampSeconds: seconds = (long)reader.ReadVarint(); break;
                case TimestampNanos: nanos = (int)reader.ReadVarint(); break;
                default: reader.Skip(tag); break;
            }
        }
    }

    /// <summary><c>Timestamp.ToDateTimeOffset()</c>, which refuses a time outside years 1–9999 or nanoseconds outside a second.</summary>
    private static DateTimeOffset ToTime(long seconds, int nanos)
    {
        if (seconds is < MinSeconds or > MaxSeconds || nanos is < 0 or > 999_999_999)
        {
            throw new InvalidDataException($"The prediction's time is not a valid timestamp (seconds {seconds}, nanos {nanos}).");
        }
        return new DateTimeOffset(DateTime.UnixEpoch.AddTicks(seconds * TimeSpan.TicksPerSecond + nanos / 100), TimeSpan.Zero);
    }

    private static void Append<T>(ref T[] values, ref int count, T value)
    {
        if (count == values.Length) Array.Resize(ref values, values.Length * 2);
        values[count++] = value;
    }
}
