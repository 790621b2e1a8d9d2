using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Cascade.Serving.Privacy;

/// <summary>
/// The keyed hash of a withheld value: the first 8 bytes of HMAC-SHA256(key, UTF-8 name, 0x00, each float32 value
/// little-endian) in lower-case hex. Why HMAC rather than a plain hash: see <see cref="PrivacyOptions.HashKey"/>. The
/// name keeps equal values of different features apart; -0 is hashed as 0 and every NaN as the one quiet NaN, so a
/// value hashes alike however it was computed. 64 bits: enough that distinct values of one feature do not collide in
/// practice, short enough to log with every prediction.
/// </summary>
public sealed class PrivacyHasher(byte[] key)
{
    private const int HashBytes = 8;

    /// <summary>The hash of <paramref name="values"/>, the value(s) of <paramref name="name"/> at <paramref name="indexes"/>.</summary>
    public string Hash(string name, ReadOnlySpan<float> values, ReadOnlySpan<int> indexes)
    {
        var length = Encoding.UTF8.GetMaxByteCount(name.Length) + 1 + indexes.Length * sizeof(float);
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = Encoding.UTF8.GetBytes(name, rented);
            rented[written++] = 0;
            foreach (var index in indexes)
            {
                BinaryPrimitives.WriteSingleLittleEndian(rented.AsSpan(written), Canonical(values[index]));
                written += sizeof(float);
            }
            Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
            HMACSHA256.HashData(key, rented.AsSpan(0, written), mac);
            return Convert.ToHexStringLower(mac[..HashBytes]);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The hash of a text value of column <paramref name="name"/> (a segment label): HMAC-SHA256(key, "segment", 0x00,
    /// UTF-8 name, 0x00, UTF-8 text), first 8 bytes in hex. The leading "segment" keeps it apart from the hashes of
    /// feature values, which start with the name.
    /// </summary>
    public string HashText(string name, string text)
    {
        var length = SegmentDomain.Length + 1 + Encoding.UTF8.GetMaxByteCount(name.Length) + 1 + Encoding.UTF8.GetMaxByteCount(text.Length);
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            SegmentDomain.CopyTo(rented);
            var written = SegmentDomain.Length;
            rented[written++] = 0;
            written += Encoding.UTF8.GetBytes(name, rented.AsSpan(written));
            rented[written++] = 0;
            written += Encoding.UTF8.GetBytes(text, rented.AsSpan(written));
            Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
            HMACSHA256.HashData(key, rented.AsSpan(0, written), mac);
            return Convert.ToHexStringLower(mac[..HashBytes]);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static ReadOnlySpan<byte> SegmentDomain => "segment"u8;

    private static float Canonical(float value) => float.IsNaN(value) ? float.NaN : value == 0 ? 0f : value;
}
