using System.Buffers.Binary;
using Cascade.Storage.OnlineStore;

namespace Cascade.Storage.Redis;

/// <summary>
/// A feature vector as one Redis string: event time and update time (UTC ticks, 8 bytes each), then the values as
/// little-endian doubles. One value per vector, so a write replaces it as a whole and a reader never sees half.
/// </summary>
internal static class FeatureVectorCodec
{
    private const int Header = 16;

    public static byte[] Encode(FeatureVector vector)
    {
        var bytes = new byte[Header + vector.Values.Length * sizeof(double)];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, vector.EventTime.UtcTicks);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), vector.UpdatedAt.UtcTicks);
        for (var i = 0; i < vector.Values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(Header + i * sizeof(double)), vector.Values[i]);
        }
        return bytes;
    }

    public static FeatureVector Decode(string entityId, byte[] bytes)
    {
        if (bytes.Length < Header || (bytes.Length - Header) % sizeof(double) != 0)
        {
            throw new InvalidDataException($"The stored vector of '{entityId}' is {bytes.Length} bytes: not a Cascade feature vector.");
        }
        var values = new double[(bytes.Length - Header) / sizeof(double)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(Header + i * sizeof(double)));
        }
        return new FeatureVector(
            entityId,
            values,
            new DateTimeOffset(BinaryPrimitives.ReadInt64LittleEndian(bytes), TimeSpan.Zero),
            new DateTimeOffset(BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8)), TimeSpan.Zero));
    }
}
