using System.Buffers.Binary;

namespace Cascade.Monitoring.Streaming;

/// <summary>
/// A forward-only reader of the protobuf wire format over a span: tags, varints, fixed-width values and
/// length-delimited slices, and skipping whatever the caller does not read (unknown fields, groups), without
/// allocating. Input that is not valid wire format (truncated, a varint over 10 bytes, field number 0, an unknown wire
/// type, an unmatched end-group) throws <see cref="InvalidDataException"/>, as Google.Protobuf refuses it.
/// </summary>
internal ref struct WireReader(ReadOnlySpan<byte> buffer)
{
    /// <summary>Groups nested deeper than this are refused (Google.Protobuf's default recursion limit).</summary>
    private const int RecursionLimit = 100;

    private readonly ReadOnlySpan<byte> buffer = buffer;
    private int position;

    /// <summary>Whether every byte has been read.</summary>
    public readonly bool End => position >= buffer.Length;

    /// <summary>The next field's tag: field number &lt;&lt; 3 | wire type.</summary>
    public uint ReadTag()
    {
        var tag = ReadVarint();
        if (tag > uint.MaxValue || tag >> 3 == 0) throw Malformed("invalid tag");
        return (uint)tag;
    }

    /// <summary>A base-128 varint of up to 10 bytes (int32 fields are its low 32 bits, bools whether it is non-zero).</summary>
    public ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= buffer.Length) throw Malformed("truncated varint");
            var b = buffer[position++];
            result |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return result;
        }
        throw Malformed("varint longer than 10 bytes");
    }

    /// <summary>A little-endian float (wire type 5).</summary>
    public float ReadFloat() => BinaryPrimitives.ReadSingleLittleEndian(Take(sizeof(float)));

    /// <summary>A length-prefixed slice (wire type 2): a string's UTF-8 bytes, a message, a packed repeated field.</summary>
    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        var length = ReadVarint();
        if (length > int.MaxValue) throw Malformed("negative length");
        return Take((int)length);
    }

    /// <summary>Skips the value of the field whose tag was just read.</summary>
    public void Skip(uint tag) => Skip(tag, depth: 0);

    private void Skip(uint tag, int depth)
    {
        switch (tag & 7)
        {
            case 0: ReadVarint(); break;
            case 1: Take(8); break;
            case 2: ReadLengthDelimited(); break;
            case 3: SkipGroup(tag >> 3, depth + 1); break;
            case 5: Take(4); break;
            default: throw Malformed(tag % 8 == 4 ? "end-group without a start" : "invalid wire type");
        }
    }

    private void SkipGroup(uint field, int depth)
    {
        if (depth > RecursionLimit) throw Malformed("groups nested too deep");
        while (true)
        {
            if (End) throw Malformed("truncated group");
            var tag = ReadTag();
            if ((tag & 7) == 4)
            {
                if (tag >> 3 != field) throw Malformed("mismatched end-group");
                return;
            }
            Skip(tag, depth);
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > buffer.Length - position) throw Malformed("truncated field");
        var slice = buffer.Slice(position, count);
        position += count;
        return slice;
    }

    private static InvalidDataException Malformed(string what) => new($"Not valid protobuf: {what}.");
}
