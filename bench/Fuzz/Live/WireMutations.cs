using Google.Protobuf.Reflection;

namespace Cascade.Fuzz.Live;

/// <summary>
/// Mutations of serialized protobuf: blind byte-level ones (bit flips, truncation, insertion, splicing) and ones that
/// know the wire format (a string field's bytes made invalid UTF-8, a length that lies, an overlong varint, a field
/// with the wrong wire type, unknown fields).
/// </summary>
public static class WireMutations
{
    /// <summary>A length-delimited field found in a message: where its length varint and its content are, and what the schema says it is.</summary>
    public sealed record Span(int LengthOffset, int LengthSize, int ContentOffset, int ContentLength, FieldDescriptor? Field);

    private static readonly byte[][] InvalidUtf8 =
    [
        [0xFF], [0xC3, 0x28], [0xE2, 0x28, 0xA1], [0xF0, 0x28, 0x8C, 0x28], [0xED, 0xA0, 0x80], [0xC0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80],
        [0x80], [0xE0, 0x80, 0xAF], [0xF4, 0x90, 0x80, 0x80],
    ];

    public static byte[] Blind(byte[] input, Random random, byte[]? other = null)
    {
        var bytes = new List<byte>(input);
        var steps = random.Next(1, 5);
        for (var s = 0; s < steps; s++)
        {
            switch (random.Next(8))
            {
                case 0 when bytes.Count > 0:
                    var at = random.Next(bytes.Count);
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                    break;
                case 2 when bytes.Count > 0:
                    var cut = random.Next(bytes.Count);
                    bytes.RemoveRange(cut, bytes.Count - cut); // truncation
                    break;
                case 3:
                    bytes.InsertRange(random.Next(bytes.Count + 1), MessageGenerator.RandomBytes(random, random.Next(1, 16)));
                    break;
                case 4 when bytes.Count > 1:
                    var start = random.Next(bytes.Count);
                    bytes.RemoveRange(start, random.Next(1, Math.Min(16, bytes.Count - start) + 1));
                    break;
                case 5 when bytes.Count > 1:
                    var from = random.Next(bytes.Count);
                    var chunk = bytes.GetRange(from, random.Next(1, Math.Min(32, bytes.Count - from) + 1));
                    bytes.InsertRange(random.Next(bytes.Count + 1), chunk);
                    break;
                case 6 when other is { Length: > 0 }:
                    var keep = random.Next(bytes.Count + 1);
                    bytes.RemoveRange(keep, bytes.Count - keep);
                    bytes.AddRange(other.AsSpan(random.Next(other.Length)).ToArray()); // splice
                    break;
                default:
                    bytes.Add((byte)random.Next(256));
                    break;
            }
        }
        return bytes.ToArray();
    }

    /// <summary>Every length-delimited field of the message and of its nested messages (as far as the bytes parse).</summary>
    public static List<Span> LengthDelimited(byte[] bytes, MessageDescriptor? descriptor)
    {
        var spans = new List<Span>();
        Walk(bytes, 0, bytes.Length, descriptor, spans, 0);
        return spans;
    }

    private static void Walk(byte[] bytes, int start, int end, MessageDescriptor? descriptor, List<Span> spans, int depth)
    {
        var position = start;
        while (position < end)
        {
            if (!TryVarint(bytes, ref position, end, out var tag)) return;
            var number = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0:
                    if (!TryVarint(bytes, ref position, end, out _)) return;
                    break;
                case 1:
                    position += 8;
                    break;
                case 5:
                    position += 4;
                    break;
                case 2:
                    var lengthOffset = position;
                    if (!TryVarint(bytes, ref position, end, out var length) || length > (ulong)(end - position)) return;
                    var field = descriptor?.FindFieldByNumber(number);
                    spans.Add(new Span(lengthOffset, position - lengthOffset, position, (int)length, field));
                    if (depth < 8 && field is { FieldType: FieldType.Message })
                    {
                        Walk(bytes, position, position + (int)length, field.IsMap ? field.MessageType : field.MessageType, spans, depth + 1);
                    }
                    position += (int)length;
                    break;
                default:
                    return;
            }
        }
    }

    private static bool TryVarint(byte[] bytes, ref int position, int end, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && position < end; shift += 7)
        {
            var b = bytes[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return true;
        }
        return false;
    }

    public static byte[] Varint(ulong value)
    {
        var output = new List<byte>(10);
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            output.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return output.ToArray();
    }

    /// <summary>One mutation that knows the wire format; <paramref name="what"/> says which.</summary>
    public static byte[] Structured(byte[] bytes, MessageDescriptor descriptor, Random random, out string what)
    {
        var spans = LengthDelimited(bytes, descriptor);
        var strings = spans.Where(s => s.Field is { FieldType: FieldType.String }).ToList();
        switch (random.Next(7))
        {
            case 0 when strings.Count > 0:
            {
                // Invalid UTF-8 inside a string field (the length grows with it, so the framing stays right).
                var span = strings[random.Next(strings.Count)];
                var bad = InvalidUtf8[random.Next(InvalidUtf8.Length)];
                var at = span.ContentOffset + random.Next(span.ContentLength + 1);
                what = "invalid-utf8";
                return Replace(bytes, span, bytes.AsSpan(span.ContentOffset, at - span.ContentOffset).ToArray().Concat(bad).Concat(bytes.AsSpan(at, span.ContentOffset + span.ContentLength - at).ToArray()).ToArray());
            }
            case 1 when spans.Count > 0:
            {
                // A length that claims more (or fewer) bytes than follow.
                var span = spans[random.Next(spans.Count)];
                var lie = random.Next(3) switch { 0 => (ulong)span.ContentLength + (ulong)random.Next(1, 100), 1 => uint.MaxValue, _ => (ulong)Math.Max(0, span.ContentLength - random.Next(1, 5)) };
                what = "lying-length";
                return [.. bytes.AsSpan(0, span.LengthOffset), .. Varint(lie), .. bytes.AsSpan(span.ContentOffset)];
            }
            case 2:
            {
                // An overlong varint (11 bytes) where a tag is expected.
                what = "overlong-varint";
                var at = random.Next(bytes.Length + 1);
                return [.. bytes.AsSpan(0, at), 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, .. bytes.AsSpan(at)];
            }
            case 3 when descriptor.Fields.InFieldNumberOrder().Count > 0:
            {
                // A declared field number with another wire type (a varint where a string is due, or the reverse).
                var field = descriptor.Fields.InFieldNumberOrder()[random.Next(descriptor.Fields.InFieldNumberOrder().Count)];
                var wire = field.FieldType is FieldType.String or FieldType.Bytes or FieldType.Message ? 0 : 2;
                var payload = wire == 0 ? Varint((ulong)random.Next()) : [.. Varint(3), (byte)'a', (byte)'b', (byte)'c'];
                what = "wrong-wire-type";
                return [.. bytes, .. Varint((ulong)(field.FieldNumber << 3 | wire)), .. payload];
            }
            case 4:
            {
                // Unknown fields: a high field number of each wire type (a decoder must skip them).
                what = "unknown-fields";
                var number = (ulong)random.Next(100, 536_870_911);
                return [.. bytes, .. Varint(number << 3 | 0), .. Varint(42), .. Varint(number << 3 | 2), .. Varint(2), 0x01, 0x02, .. Varint(number << 3 | 5), 1, 2, 3, 4];
            }
            case 5:
            {
                // Groups (wire types 3 and 4), deprecated and unmatched.
                what = "group";
                var number = (ulong)random.Next(1, 20);
                return random.Next(2) == 0 ? [.. bytes, .. Varint(number << 3 | 3)] : [.. bytes, .. Varint(number << 3 | 4)];
            }
            default:
            {
                // Field number 0 and wire types 6 and 7 do not exist.
                what = "invalid-tag";
                return [.. bytes, .. random.Next(3) switch { 0 => new byte[] { 0x00, 0x01 }, 1 => [0x0E, 0x01], _ => [0x0F, 0x01] }];
            }
        }
    }

    /// <summary>The message with one field's content replaced, the lengths of every enclosing message corrected.</summary>
    private static byte[] Replace(byte[] bytes, Span target, byte[] content)
    {
        var chain = new List<Span> { target };
        foreach (var span in LengthDelimitedAncestors(bytes, target))
        {
            chain.Add(span);
        }
        var inner = content;
        for (var level = 0; level < chain.Count; level++)
        {
            var span = chain[level];
            var encoded = (byte[])[.. Varint((ulong)inner.Length), .. inner];
            if (level + 1 == chain.Count)
            {
                return [.. bytes.AsSpan(0, span.LengthOffset), .. encoded, .. bytes.AsSpan(span.ContentOffset + span.ContentLength)];
            }
            var parent = chain[level + 1];
            inner = [.. bytes.AsSpan(parent.ContentOffset, span.LengthOffset - parent.ContentOffset), .. encoded,
                .. bytes.AsSpan(span.ContentOffset + span.ContentLength, parent.ContentOffset + parent.ContentLength - (span.ContentOffset + span.ContentLength))];
        }
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>The spans enclosing <paramref name="target"/>, innermost first.</summary>
    private static IEnumerable<Span> LengthDelimitedAncestors(byte[] bytes, Span target) =>
        AllSpans(bytes)
            .Where(s => s != target && s.ContentOffset <= target.LengthOffset && target.ContentOffset + target.ContentLength <= s.ContentOffset + s.ContentLength)
            .OrderByDescending(s => s.ContentOffset);

    /// <summary>Spans at every depth, reading any length-delimited field that parses as a message as one.</summary>
    private static List<Span> AllSpans(byte[] bytes)
    {
        var spans = new List<Span>();
        WalkBlind(bytes, 0, bytes.Length, spans, 0);
        return spans;
    }

    private static void WalkBlind(byte[] bytes, int start, int end, List<Span> spans, int depth)
    {
        var position = start;
        while (position < end)
        {
            if (!TryVarint(bytes, ref position, end, out var tag)) return;
            switch ((int)(tag & 7))
            {
                case 0:
                    if (!TryVarint(bytes, ref position, end, out _)) return;
                    break;
                case 1:
                    position += 8;
                    break;
                case 5:
                    position += 4;
                    break;
                case 2:
                    var lengthOffset = position;
                    if (!TryVarint(bytes, ref position, end, out var length) || length > (ulong)(end - position)) return;
                    spans.Add(new Span(lengthOffset, position - lengthOffset, position, (int)length, null));
                    if (depth < 8) WalkBlind(bytes, position, position + (int)length, spans, depth + 1);
                    position += (int)length;
                    break;
                default:
                    return;
            }
        }
    }
}
