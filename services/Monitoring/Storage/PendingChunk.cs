using System.Text;
using Cascade.Monitoring.Domain.Labels;

namespace Cascade.Monitoring.Storage;

/// <summary>
/// The bytes of one stored chunk of predictions waiting for labels (<see cref="PendingPredictionTables"/>): a run of
/// predictions in arrival order, each with its sequence number, written with <see cref="BinaryWriter"/>'s encodings
/// (7-bit integers, length-prefixed UTF-8 strings, little-endian numbers).
/// </summary>
/// <remarks>
/// Layout: a format byte (1), then per prediction: the sequence number (the first as is, then the distance from the
/// previous one), the prediction id, a byte of flags (1: an entity id follows, 2: a segment follows), the entity id, the
/// time in UTC ticks, the log offset, the number of outputs and the outputs, the segment.
/// </remarks>
internal static class PendingChunk
{
    private const byte Format = 1;
    private const byte HasEntity = 1;
    private const byte HasSegment = 2;

    /// <summary>Writes <paramref name="count"/> predictions of <paramref name="added"/> from <paramref name="first"/> into <paramref name="buffer"/> (emptied first).</summary>
    public static void Write(IReadOnlyList<(long Sequence, PendingPrediction Prediction)> added, int first, int count, MemoryStream buffer)
    {
        buffer.SetLength(0);
        using var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true);
        writer.Write(Format);
        var previous = 0L;
        for (var i = first; i < first + count; i++)
        {
            var (sequence, p) = added[i];
            writer.Write7BitEncodedInt64(i == first ? sequence : sequence - previous);
            previous = sequence;
            writer.Write(p.PredictionId);
            writer.Write((byte)((p.EntityId is null ? 0 : HasEntity) | (p.Segment is null ? 0 : HasSegment)));
            if (p.EntityId is not null) writer.Write(p.EntityId);
            writer.Write(p.Time.UtcTicks);
            writer.Write7BitEncodedInt64(p.Offset);
            writer.Write7BitEncodedInt(p.Outputs.Length);
            foreach (var output in p.Outputs) writer.Write(output);
            if (p.Segment is not null) writer.Write(p.Segment);
        }
    }

    /// <summary>The predictions of a chunk with their sequence numbers, in the order written.</summary>
    /// <exception cref="InvalidDataException">Not a chunk this version writes.</exception>
    public static IEnumerable<(long Sequence, PendingPrediction Prediction)> Read(byte[] chunk)
    {
        using var reader = new BinaryReader(new MemoryStream(chunk, writable: false), Encoding.UTF8);
        var format = reader.ReadByte();
        if (format != Format) throw new InvalidDataException($"A chunk of waiting predictions in format {format}; this version reads format {Format}.");
        var sequence = 0L;
        for (var first = true; reader.BaseStream.Position < chunk.Length; first = false)
        {
            var step = reader.Read7BitEncodedInt64();
            sequence = first ? step : sequence + step;
            var id = reader.ReadString();
            var flags = reader.ReadByte();
            var entity = (flags & HasEntity) != 0 ? reader.ReadString() : null;
            var time = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
            var offset = reader.Read7BitEncodedInt64();
            var outputs = new float[reader.Read7BitEncodedInt()];
            for (var o = 0; o < outputs.Length; o++) outputs[o] = reader.ReadSingle();
            var segment = (flags & HasSegment) != 0 ? reader.ReadString() : null;
            yield return (sequence, new PendingPrediction(id, entity, time, offset, outputs, segment));
        }
    }
}
