using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace Cascade.Fuzz.Live;

/// <summary>
/// Random messages of any generated type, built through the descriptors: plausible values most of the time (names the
/// host knows, by field name, so requests get past "not found" into the handlers), and the edge values that break
/// handlers the rest: NaN and infinities, extreme integers and enum values no one declared, empty and huge strings,
/// timestamps and durations out of range, huge repeated fields.
/// </summary>
public sealed class MessageGenerator(IReadOnlyDictionary<string, string[]> names)
{
    private const int MaxDepth = 5;

    private static readonly string[] OddStrings =
    [
        "", " ", "a", "A", "-", "_", ".", "..", "../../etc/passwd", "a/b", "a:b", "a b", "%00", "%ZZ", "\0", "\u0001\u001f",
        "\r\n", "\t", "NaN", "-1", "0", "1e309", "true", "null", "{}", "[]", "'\";--", "${x}", "名前", "😀", "\u202e\u202d",
        "\ufeff", "\uffff", "a\u0300", new string('x', 64), new string('x', 65), new string('x', 300), "champion", "challenger",
        "latest", "cascade.events.v1.ModelPromoted", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "sha256:00", new string('0', 64), "AGGREGATION_FUNCTION_MEAN", "VALUE_TYPE_FLOAT64",
    ];

    private static readonly double[] OddDoubles =
    [
        0, -0.0, 1, -1, 0.5, 2, 100, 1e-300, double.Epsilon, double.MaxValue, double.MinValue, double.NaN,
        double.PositiveInfinity, double.NegativeInfinity, 1e308, 3.4e38, 3.5e38, -3.5e38, float.MaxValue, float.Epsilon,
    ];

    private static readonly long[] OddIntegers =
    [
        0, 1, -1, 2, 3, 7, 100, 1000, int.MaxValue, int.MinValue, (long)int.MaxValue + 1, long.MaxValue, long.MinValue,
        uint.MaxValue, 1L << 40, -1000, 10_000, 1_000_000,
    ];

    /// <summary>A new message of <paramref name="descriptor"/>'s type.</summary>
    /// <param name="hostile">0: plausible values only; 1: some edge values; 2: mostly edge values.</param>
    public IMessage Generate(MessageDescriptor descriptor, Random random, int hostile, int depth = 0)
    {
        var message = (IMessage)Activator.CreateInstance(descriptor.ClrType)!;
        if (descriptor.FullName == Timestamp.Descriptor.FullName) return TimestampValue(random, hostile);
        if (descriptor.FullName == Duration.Descriptor.FullName) return DurationValue(random, hostile);
        if (depth >= MaxDepth) return message;
        foreach (var field in descriptor.Fields.InDeclarationOrder())
        {
            // Real oneofs: one member at a time, chosen at random.
            if (field.RealContainingOneof is { } oneof && oneof.Accessor.GetCaseFieldDescriptor(message) is not null) continue;
            var fill = hostile == 0 ? random.Next(4) > 0 : random.Next(3) > 0;
            if (!fill) continue;
            Fill(message, field, random, hostile, depth);
        }
        return message;
    }

    /// <summary>Sets one field (or adds elements to a repeated one) with values of its type.</summary>
    public void Fill(IMessage message, FieldDescriptor field, Random random, int hostile, int depth = 0)
    {
        if (field.IsMap)
        {
            var map = (IDictionary)field.Accessor.GetValue(message);
            var key = field.MessageType.FindFieldByNumber(1);
            var value = field.MessageType.FindFieldByNumber(2);
            var count = Count(random, hostile);
            for (var i = 0; i < count; i++)
            {
                var k = Scalar(key, random, hostile, depth);
                if (k is null) continue;
                map[k] = Scalar(value, random, hostile, depth + 1) ?? Default(value);
            }
        }
        else if (field.IsRepeated)
        {
            var list = (IList)field.Accessor.GetValue(message);
            var count = Count(random, hostile);
            for (var i = 0; i < count; i++)
            {
                if (Scalar(field, random, hostile, depth + 1) is { } item) list.Add(item);
            }
        }
        else if (Scalar(field, random, hostile, depth + 1) is { } value)
        {
            field.Accessor.SetValue(message, value);
        }
    }

    /// <summary>Makes one repeated field of <paramref name="message"/> huge: <paramref name="count"/> elements of its type.</summary>
    public void Flood(IMessage message, FieldDescriptor field, Random random, int count)
    {
        if (field.IsMap)
        {
            var map = (IDictionary)field.Accessor.GetValue(message);
            var key = field.MessageType.FindFieldByNumber(1);
            var value = field.MessageType.FindFieldByNumber(2);
            for (var i = 0; i < count; i++)
            {
                // Every map of the contracts is keyed by string; another key type gets no flood.
                if (key.FieldType != FieldType.String) return;
                map[$"k{i}"] = Scalar(value, random, 0, MaxDepth) ?? Default(value);
            }
            return;
        }
        var list = (IList)field.Accessor.GetValue(message);
        var template = Scalar(field, random, 0, MaxDepth - 1);
        if (template is null) return;
        for (var i = 0; i < count; i++) list.Add(field.FieldType == FieldType.Message ? Clone((IMessage)template) : template);
    }

    private static int Count(Random random, int hostile) => random.Next(hostile == 2 ? 12 : 5) switch
    {
        0 => 0,
        1 or 2 => 1,
        3 => 2,
        _ => random.Next(3, hostile == 2 ? 200 : 8),
    };

    private object? Scalar(FieldDescriptor field, Random random, int hostile, int depth)
    {
        var odd = hostile > 0 && random.Next(hostile == 2 ? 2 : 6) == 0;
        switch (field.FieldType)
        {
            case FieldType.String:
                return odd ? Odd(random) : Known(field, random) ?? Word(random);
            case FieldType.Bytes:
                return ByteString.CopyFrom(RandomBytes(random, odd ? random.Next(0, 4096) : random.Next(0, 64)));
            case FieldType.Bool:
                return random.Next(2) == 0;
            case FieldType.Double:
                return odd ? OddDoubles[random.Next(OddDoubles.Length)] : Math.Round(random.NextDouble() * 10 - 2, 3);
            case FieldType.Float:
                return odd ? (float)OddDoubles[random.Next(OddDoubles.Length)] : (float)Math.Round(random.NextDouble() * 10 - 2, 3);
            case FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32:
                return odd ? unchecked((int)OddIntegers[random.Next(OddIntegers.Length)]) : Small(field, random);
            case FieldType.UInt32 or FieldType.Fixed32:
                return odd ? unchecked((uint)OddIntegers[random.Next(OddIntegers.Length)]) : (uint)Small(field, random);
            case FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64:
                return odd ? OddIntegers[random.Next(OddIntegers.Length)] : (long)Small(field, random);
            case FieldType.UInt64 or FieldType.Fixed64:
                return odd ? unchecked((ulong)OddIntegers[random.Next(OddIntegers.Length)]) : (ulong)Small(field, random);
            case FieldType.Enum:
                var values = field.EnumType.Values;
                var number = odd ? (int)OddIntegers[random.Next(OddIntegers.Length)] : values[random.Next(values.Count)].Number;
                // The generated accessors take the CLR enum; an undeclared number is still a value of it.
                return System.Enum.ToObject(field.EnumType.ClrType, number);
            case FieldType.Message:
                return depth >= MaxDepth && field.MessageType.FullName != Timestamp.Descriptor.FullName && field.MessageType.FullName != Duration.Descriptor.FullName
                    ? null
                    : Generate(field.MessageType, random, hostile, depth);
            default:
                return null;
        }
    }

    // Scalars always get a value; only a message past the depth limit has none: an empty one then.
    private static object Default(FieldDescriptor field) => Activator.CreateInstance(field.MessageType.ClrType)!;

    private int Small(FieldDescriptor field, Random random) =>
        field.Name.Contains("version", StringComparison.Ordinal) ? random.Next(0, 4)
        : field.Name is "rows" ? random.Next(0, 4)
        : random.Next(0, 20);

    /// <summary>A name the host knows for a field of this name, most of the time.</summary>
    private string? Known(FieldDescriptor field, Random random)
    {
        if (random.Next(5) == 0) return null;
        return names.TryGetValue(field.Name, out var known) && known.Length > 0 ? known[random.Next(known.Length)] : null;
    }

    private static string Word(Random random)
    {
        const string letters = "abcdefghijklmnopqrstuvwxyz0123456789-_";
        var length = random.Next(1, 12);
        var chars = new char[length];
        chars[0] = (char)('a' + random.Next(26));
        for (var i = 1; i < length; i++) chars[i] = letters[random.Next(letters.Length)];
        return new string(chars);
    }

    private static string Odd(Random random) => random.Next(12) switch
    {
        0 => new string('x', random.Next(1_000, 70_000)),
        1 => string.Concat(Enumerable.Range(0, random.Next(1, 20)).Select(_ => (char)random.Next(0, 0xD7FF))),
        _ => OddStrings[random.Next(OddStrings.Length)],
    };

    /// <summary>A deep copy of any generated message.</summary>
    public static IMessage Clone(IMessage message) => message.Descriptor.Parser.ParseFrom(message.ToByteString());

    public static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static Timestamp TimestampValue(Random random, int hostile)
    {
        if (hostile > 0 && random.Next(hostile == 2 ? 2 : 5) == 0)
        {
            return random.Next(8) switch
            {
                0 => new Timestamp { Seconds = long.MaxValue },
                1 => new Timestamp { Seconds = long.MinValue },
                2 => new Timestamp { Seconds = 253402300800 }, // one second past the largest valid
                3 => new Timestamp { Seconds = -62135596801 }, // one second before the smallest valid
                4 => new Timestamp { Seconds = 0, Nanos = -1 },
                5 => new Timestamp { Seconds = 1, Nanos = 1_000_000_000 },
                6 => new Timestamp { Seconds = 253402300799, Nanos = 999_999_999 },
                _ => new Timestamp { Seconds = -62135596800 },
            };
        }
        return Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddSeconds(-random.Next(0, 86_400 * 3)));
    }

    private static Duration DurationValue(Random random, int hostile)
    {
        if (hostile > 0 && random.Next(hostile == 2 ? 2 : 5) == 0)
        {
            return random.Next(7) switch
            {
                0 => new Duration { Seconds = long.MaxValue },
                1 => new Duration { Seconds = long.MinValue },
                2 => new Duration { Seconds = -1 },
                3 => new Duration { Seconds = 315_576_000_001 }, // past the largest valid
                4 => new Duration { Seconds = 1, Nanos = -5 }, // signs disagree
                5 => new Duration { Nanos = 1_000_000_000 },
                _ => new Duration(),
            };
        }
        return Duration.FromTimeSpan(TimeSpan.FromSeconds(random.Next(1, 7_200)));
    }
}
