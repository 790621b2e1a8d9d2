using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Cascade.Fuzz.Live;

/// <summary>
/// Makes the campaign's cases: for a gRPC method, random and mutated protobuf (from valid seeds: bit flips,
/// truncation, lying lengths, invalid UTF-8, NaN and infinities, huge repeated fields, messages over 4 MiB) in
/// well-formed or broken gRPC framing; for a REST route, mutated JSON and odd path parameters. Each case is a pure
/// function of its random source, so a seed and an index reproduce it.
/// </summary>
public sealed class CaseFactory(SeedBook seeds)
{
    /// <summary>The host's receive limit (GrpcServerOptions' default).</summary>
    public const int MaxMessageBytes = 4 * 1024 * 1024;

    private readonly MessageGenerator _generator = new(seeds.Names);
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);

    public FuzzCase Grpc(GrpcMethod method, Random random)
    {
        var count = method.ClientStreams ? random.Next(0, 5) : 1;
        var messages = new List<byte[]>();
        var strategies = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var (bytes, strategy) = Message(method, random, i);
            messages.Add(bytes);
            strategies.Add(strategy);
        }
        var payload = Judge(method.Input, messages);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        var deadline = method.ServerStreams ? 400 : 0;
        byte[] body;
        string strategyName;
        var frame = random.Next(100);
        if (frame < 12 && messages.Count > 0)
        {
            (body, payload, strategyName) = BrokenFrame(method, messages, payload, headers, random);
        }
        else
        {
            body = [.. messages.SelectMany(m => Frame(m))];
            strategyName = strategies.Count == 0 ? "empty-stream" : string.Join("+", strategies.Distinct());
            if (frame < 15)
            {
                // A deadline so short the handler is cancelled mid-way: cancellation paths must not log errors.
                deadline = random.Next(1, 30);
                strategyName += "+deadline";
            }
        }
        if (deadline > 0) headers["grpc-timeout"] = $"{deadline}m";
        return new FuzzCase
        {
            Kind = "grpc", Strategy = strategyName, Target = method.Path, Path = method.Path, Headers = headers, Body = body,
            Payload = payload, ClientStreams = method.ClientStreams, DeadlineMs = deadline,
        };
    }

    /// <summary>One request message of the method, made by one strategy.</summary>
    private (byte[] Bytes, string Strategy) Message(GrpcMethod method, Random random, int index)
    {
        var descriptor = method.Input;
        var seed = Base(method, random, index);
        switch (random.Next(100))
        {
            case < 14:
                return (seed.ToByteArray(), "seed");
            case < 32:
                return (_generator.Generate(descriptor, random, hostile: random.Next(1, 3)).ToByteArray(), "edge-values");
            case < 40:
                NonFinite(seed, random, 0);
                return (seed.ToByteArray(), "nan-inf");
            case < 58:
                return (WireMutations.Blind(seed.ToByteArray(), random, _generator.Generate(descriptor, random, 0).ToByteArray()), "bit-flips");
            case < 78:
                var bytes = WireMutations.Structured(seed.ToByteArray(), descriptor, random, out var what);
                return (bytes, what);
            case < 86:
                return (Flood(seed, random, MaxMessageBytes / 8 + random.Next(MaxMessageBytes / 2)) ?? seed.ToByteArray(), "huge-repeated");
            case < 89:
                return (Oversized(seed, random), "oversized");
            default:
                return (_generator.Generate(descriptor, random, 0).ToByteArray(), "generated");
        }
    }

    private IMessage Base(GrpcMethod method, Random random, int index)
    {
        var known = seeds.For(method.Path, random);
        if (known.Count > 0 && random.Next(4) > 0) return MessageGenerator.Clone(known[Math.Min(index, known.Count - 1)]);
        return _generator.Generate(method.Input, random, 0);
    }

    /// <summary>Sets the double and float fields of the message (and its nested ones) to NaN or an infinity.</summary>
    private static void NonFinite(IMessage message, Random random, int depth)
    {
        if (depth > 4) return;
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            var values = new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, double.Epsilon };
            var value = values[random.Next(values.Length)];
            if (field.IsMap) continue;
            switch (field.FieldType)
            {
                case FieldType.Double when field.IsRepeated:
                    ((System.Collections.IList)field.Accessor.GetValue(message)).Add(value);
                    break;
                case FieldType.Double when field.RealContainingOneof is null || random.Next(3) == 0:
                    field.Accessor.SetValue(message, value);
                    break;
                case FieldType.Float when field.IsRepeated:
                    ((System.Collections.IList)field.Accessor.GetValue(message)).Add((float)value);
                    break;
                case FieldType.Float when field.RealContainingOneof is null || random.Next(3) == 0:
                    field.Accessor.SetValue(message, (float)value);
                    break;
                case FieldType.Message when !field.IsRepeated && field.Accessor.GetValue(message) is IMessage nested:
                    NonFinite(nested, random, depth + 1);
                    break;
                case FieldType.Message when field.IsRepeated:
                    foreach (var item in (System.Collections.IList)field.Accessor.GetValue(message)) NonFinite((IMessage)item, random, depth + 1);
                    break;
            }
        }
    }

    /// <summary>One repeated field (of the message or of a nested one) with about <paramref name="targetBytes"/> bytes of elements.</summary>
    private byte[]? Flood(IMessage message, Random random, int targetBytes)
    {
        var candidates = new List<(IMessage Owner, FieldDescriptor Field)>();
        Collect(message, candidates, 0);
        if (candidates.Count == 0) return null;
        var (owner, field) = candidates[random.Next(candidates.Count)];
        var probe = (IMessage)Activator.CreateInstance(owner.Descriptor.ClrType)!;
        _generator.Flood(probe, field, random, 1);
        var each = Math.Max(1, probe.CalculateSize());
        _generator.Flood(owner, field, random, Math.Min(2_000_000, targetBytes / each));
        return message.ToByteArray();
    }

    private static void Collect(IMessage message, List<(IMessage, FieldDescriptor)> into, int depth)
    {
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            if (field.IsRepeated || field.IsMap)
            {
                into.Add((message, field));
            }
            else if (depth < 3 && field.FieldType == FieldType.Message && field.Accessor.GetValue(message) is IMessage nested)
            {
                Collect(nested, into, depth + 1);
            }
        }
    }

    /// <summary>Over the 4 MiB limit: a flooded repeated field, or unknown bytes appended.</summary>
    private byte[] Oversized(IMessage message, Random random)
    {
        if (random.Next(2) == 0 && Flood(MessageGenerator.Clone(message), random, MaxMessageBytes + 1024) is { Length: > MaxMessageBytes } flooded) return flooded;
        var filler = new byte[MaxMessageBytes + random.Next(1, 65_536)];
        // An unknown length-delimited field of filler: decodable, only too big.
        return [.. message.ToByteArray(), .. WireMutations.Varint(999 << 3 | 2), .. WireMutations.Varint((ulong)filler.Length), .. filler];
    }

    /// <summary>What the messages are: the first problem in stream order decides (the server stops there).</summary>
    private static Payload Judge(MessageDescriptor descriptor, List<byte[]> messages)
    {
        foreach (var message in messages)
        {
            if (message.Length > MaxMessageBytes) return Payload.Oversized;
            if (!Decodes(descriptor, message)) return Payload.Undecodable;
        }
        return Payload.Decodable;
    }

    /// <summary>Whether the bytes parse as the type, by the same Google.Protobuf the server runs.</summary>
    public static bool Decodes(MessageDescriptor descriptor, byte[] bytes)
    {
        try
        {
            descriptor.Parser.ParseFrom(bytes);
            return true;
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
        }
    }

    public static byte[] Frame(byte[] message, bool compressed = false, int? length = null)
    {
        var frame = new byte[5 + message.Length];
        frame[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)(length ?? message.Length));
        message.CopyTo(frame, 5);
        return frame;
    }

    private static (byte[] Body, Payload Payload, string Strategy) BrokenFrame(GrpcMethod method, List<byte[]> messages, Payload payload, Dictionary<string, string> headers, Random random)
    {
        var first = messages[0];
        switch (random.Next(9))
        {
            case 0:
            {
                var lie = random.Next(3) switch { 0 => first.Length + random.Next(1, 1000), 1 => int.MaxValue, _ => first.Length - random.Next(1, 10) };
                if (lie < 0) lie = first.Length + 1; // an empty message cannot claim less
                // A length past the limit is refused as too large before anything is read (RESOURCE_EXHAUSTED), else it is a broken frame.
                return (Frame(first, length: lie), lie > MaxMessageBytes ? Payload.Oversized : Payload.BadFrame, "frame-lying-length");
            }
            case 1:
                return (Frame(first)[..random.Next(1, 5)], Payload.BadFrame, "frame-cut-header");
            case 2:
                return (Frame(first, compressed: true), Payload.BadFrame, "frame-compressed-without-encoding");
            case 3:
            {
                headers["grpc-encoding"] = "gzip";
                var garbage = MessageGenerator.RandomBytes(random, random.Next(0, 200));
                // Garbage that happens to inflate (an empty one does) is judged by what it inflates to.
                return (Frame(garbage, compressed: true), Gunzip(garbage) is { } inflated ? Judge(method.Input, [inflated]) : Payload.BadFrame, "frame-gzip-garbage");
            }
            case 4:
                headers["grpc-encoding"] = "gzip";
                return ([.. messages.SelectMany(m => Frame(Gzip(m), compressed: true))], payload, "frame-gzip");
            case 5:
                // 16 MiB of zeros in 16 KiB: the limit applies to the decompressed message.
                headers["grpc-encoding"] = "gzip";
                return (Frame(Gzip(new byte[16 * 1024 * 1024]), compressed: true), Payload.Oversized, "frame-gzip-bomb");
            case 6:
                headers["grpc-encoding"] = random.Next(2) == 0 ? "br" : "x-fuzz";
                return (Frame(first, compressed: true), Payload.UnsupportedEncoding, "frame-unknown-encoding");
            case 7:
                // Two messages where one is due; a stream takes any number.
                return ([.. Frame(first), .. Frame(first)], method.ClientStreams ? Judge(method.Input, [first]) : Payload.BadFrame, "frame-extra-message");
            default:
                return ([.. Frame(first), .. MessageGenerator.RandomBytes(random, random.Next(1, 5))], Payload.BadFrame, "frame-trailing-bytes");
        }
    }

    private static byte[]? Gunzip(byte[] bytes)
    {
        try
        {
            using var input = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var output = new MemoryStream();
            input.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(bytes);
        }
        return output.ToArray();
    }

    /// <summary>A REST request for the route: parameters filled, a JSON body for a POST/PUT (mutated most of the time).</summary>
    public FuzzCase Rest(RestRoute route, Random random)
    {
        IMessage? message = null;
        if (route.Transcodes is { } method)
        {
            var known = seeds.For(method.Path, random);
            message = known.Count > 0 && random.Next(3) > 0 ? MessageGenerator.Clone(known[0]) : _generator.Generate(method.Input, random, random.Next(0, 2));
        }
        var strategy = new List<string>();
        var rawPath = random.Next(12) == 0;
        var path = FillPath(route.Pattern, message, random, rawPath);
        if (rawPath) strategy.Add("raw-path");
        if (route.Verb is "GET" or "DELETE" && message is not null && random.Next(4) == 0)
        {
            path += "?" + Query(message, random);
            strategy.Add("query");
        }
        byte[] body = [];
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (route.Verb is "POST" or "PUT" or "PATCH")
        {
            var json = message is not null ? Json(message, route.Body) : route.Pattern.EndsWith("/infer", StringComparison.Ordinal) ? SeedBook.InferJson(random) : "{}";
            body = Encoding.UTF8.GetBytes(json);
            if (random.Next(10) < 7)
            {
                body = JsonMutations.Mutate(body, random, out var what);
                strategy.Add(what);
            }
            else
            {
                strategy.Add("valid-json");
            }
            headers["content-type"] = random.Next(20) switch { 0 => "text/plain", 1 => "application/json; charset=latin1", 2 => "application/x-www-form-urlencoded", _ => "application/json" };
        }
        if (strategy.Count == 0) strategy.Add("params");
        return new FuzzCase
        {
            Kind = "rest", Strategy = string.Join("+", strategy), Target = route.Pattern, Verb = route.Verb, Path = path, Headers = headers, Body = body,
            Streams = route.Transcodes?.ServerStreams ?? false,
        };
    }

    private static string Json(IMessage message, string bodyField)
    {
        IMessage? body = message;
        if (bodyField is not ("*" or ""))
        {
            body = message.Descriptor.FindFieldByName(bodyField)?.Accessor.GetValue(message) as IMessage;
        }
        if (body is null) return "{}";
        try
        {
            return Formatter.Format(body);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or InvalidProtocolBufferException)
        {
            // A timestamp or duration outside JSON's range has no JSON form: send the rest as it is.
            return "{}";
        }
    }

    private string FillPath(string pattern, IMessage? message, Random random, bool raw)
    {
        var builder = new StringBuilder();
        var position = 0;
        while (pattern.IndexOf('{', position) is var open and >= 0)
        {
            var close = pattern.IndexOf('}', open);
            builder.Append(pattern, position, open - position);
            var name = pattern[(open + 1)..close].Split(':', '=')[0].TrimStart('*');
            // OIP v2 routes name the served model most of the time, so bodies reach the tensor parser.
            var value = raw ? RawSegment(random)
                : pattern.StartsWith("/v2/models/", StringComparison.Ordinal) && name == "name" && random.Next(4) > 0 ? LiveHost.Model
                : Uri.EscapeDataString(ParameterValue(name, message, random));
            builder.Append(value);
            position = close + 1;
        }
        builder.Append(pattern, position, pattern.Length - position);
        return builder.ToString();
    }

    private string ParameterValue(string name, IMessage? message, Random random)
    {
        if (random.Next(6) > 0 && message is not null && FieldValue(message, name) is { } value) return value;
        var last = name.Split('.')[^1];
        if (random.Next(3) > 0 && seeds.Names.TryGetValue(last, out var known)) return known[random.Next(known.Length)];
        if (last.Contains("version", StringComparison.Ordinal)) return random.Next(5) switch { 0 => "-1", 1 => "99999999999", 2 => "1.5", 3 => "x", _ => random.Next(0, 4).ToString(System.Globalization.CultureInfo.InvariantCulture) };
        return random.Next(4) switch
        {
            0 => new string('z', random.Next(100, 5000)),
            1 => "名前😀",
            2 => "a b/c?d#e",
            _ => "..",
        };
    }

    private static string? FieldValue(IMessage message, string path)
    {
        object? current = message;
        foreach (var part in path.Split('.'))
        {
            if (current is not IMessage m || m.Descriptor.FindFieldByName(part) is not { } field || field.IsRepeated) return null;
            current = field.Accessor.GetValue(m);
        }
        return current switch
        {
            null or IMessage => null,
            string s => s,
            _ => Convert.ToString(current, System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    private static string RawSegment(Random random) => random.Next(6) switch
    {
        0 => "%",
        1 => "%ZZ",
        2 => "%C3%28",
        3 => "%00",
        4 => new string('a', random.Next(9_000, 40_000)),
        _ => "%2F..%2F..",
    };

    private string Query(IMessage message, Random random)
    {
        var fields = message.Descriptor.Fields.InDeclarationOrder();
        var parts = new List<string>();
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            var field = fields.Count > 0 && random.Next(4) > 0 ? fields[random.Next(fields.Count)].JsonName : "unknownField";
            var value = random.Next(6) switch { 0 => "NaN", 1 => "-1", 2 => "99999999999999999999", 3 => "%FF", 4 => "", _ => "x" };
            parts.Add($"{field}={value}");
        }
        return string.Join("&", parts);
    }
}

/// <summary>Mutations of JSON text: blind bytes, values of another type, non-finite numbers, invalid UTF-8, deep nesting, huge arrays and strings.</summary>
public static class JsonMutations
{
    private static readonly string[] Values =
    [
        "NaN", "Infinity", "-Infinity", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "1e999", "-1e999", "-0", "0.0000001e-400",
        "123456789012345678901234567890", "-9223372036854775809", "18446744073709551616", "true", "null", "\"\"", "[]", "{}",
        "\"\\u0000\"", "\"\\ud800\"", "\"x\"", "1.5", "-1", "2147483648", "\"2147483648\"", "\"9007199254740993\"", "[null]",
        "{\"a\":1}", "\"1970-01-01T00:00:00Z\"", "\"10000-01-01T00:00:00Z\"", "\"-1s\"", "\"315576000001s\"", "\"VALUE_TYPE_FLOAT64\"", "\"NO_SUCH_ENUM\"",
    ];

    public static byte[] Mutate(byte[] json, Random random, out string what)
    {
        var tokens = Tokens(json);
        switch (random.Next(11))
        {
            case 0:
                what = "json-bit-flips";
                return WireMutations.Blind(json, random);
            case 1 or 2 when tokens.Count > 0:
            {
                var (start, end) = tokens[random.Next(tokens.Count)];
                what = "json-odd-value";
                return [.. json.AsSpan(0, start), .. Encoding.UTF8.GetBytes(Values[random.Next(Values.Length)]), .. json.AsSpan(end)];
            }
            case 3:
            {
                what = "json-invalid-utf8";
                var quote = Array.IndexOf(json, (byte)'"', random.Next(Math.Max(1, json.Length)));
                var at = quote < 0 ? json.Length : quote + 1;
                byte[] bad = random.Next(3) switch { 0 => [0xFF], 1 => [0xC3, 0x28], _ => [0xED, 0xA0, 0x80] };
                return [.. json.AsSpan(0, at), .. bad, .. json.AsSpan(at)];
            }
            case 4 when tokens.Count > 0:
            {
                var depth = random.Next(2) == 0 ? random.Next(60, 70) : random.Next(1_000, 100_000);
                var (start, end) = tokens[random.Next(tokens.Count)];
                what = "json-deep-nesting";
                return [.. json.AsSpan(0, start), .. Enumerable.Repeat((byte)'[', depth), .. Encoding.UTF8.GetBytes("1"), .. Enumerable.Repeat((byte)']', depth), .. json.AsSpan(end)];
            }
            case 5 when tokens.Count > 0:
            {
                var (start, end) = tokens[random.Next(tokens.Count)];
                var count = random.Next(10_000, 600_000);
                var element = random.Next(3) switch { 0 => "1,", 1 => "null,", _ => "\"x\"," };
                var array = new StringBuilder(count * element.Length + 2).Append('[');
                for (var i = 0; i < count; i++) array.Append(element);
                array.Length--;
                array.Append(']');
                what = "json-huge-array";
                return [.. json.AsSpan(0, start), .. Encoding.UTF8.GetBytes(array.ToString()), .. json.AsSpan(end)];
            }
            case 6 when tokens.Count > 0:
            {
                var (start, end) = tokens[random.Next(tokens.Count)];
                what = "json-huge-string";
                return [.. json.AsSpan(0, start), (byte)'"', .. Enumerable.Repeat((byte)'s', random.Next(100_000, 3_000_000)), (byte)'"', .. json.AsSpan(end)];
            }
            case 7:
                what = "json-truncated";
                return json[..random.Next(json.Length + 1)];
            case 8:
            {
                what = "json-unknown-field";
                var brace = Array.IndexOf(json, (byte)'{');
                if (brace < 0) return json;
                var field = random.Next(3) switch { 0 => "\"zzUnknown\": {\"a\": [1, 2]},", 1 => "\"name\": 1, \"name\": \"dup\",", _ => "\"\": null," };
                return [.. json.AsSpan(0, brace + 1), .. Encoding.UTF8.GetBytes(field), .. json.AsSpan(brace + 1)];
            }
            default:
                what = "json-garbage";
                return random.Next(6) switch
                {
                    0 => [],
                    1 => "null"u8.ToArray(),
                    2 => "[]"u8.ToArray(),
                    3 => "\"text\""u8.ToArray(),
                    4 => "{\"a\":"u8.ToArray(),
                    _ => MessageGenerator.RandomBytes(random, random.Next(1, 100)),
                };
        }
    }

    /// <summary>Where each value token (number, string, literal, or a whole array or object) is in the text.</summary>
    private static List<(int Start, int End)> Tokens(byte[] json)
    {
        var tokens = new List<(int, int)>();
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null)
                {
                    tokens.Add(((int)reader.TokenStartIndex, (int)reader.BytesConsumed));
                }
            }
        }
        catch (JsonException)
        {
        }
        return tokens;
    }
}
