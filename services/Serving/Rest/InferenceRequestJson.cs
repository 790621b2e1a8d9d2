using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Cascade.Serving.Rest;

/// <summary>An inference request as the REST binding reads it, every input's data converted to FP32 (row-major).</summary>
/// <param name="Segment">The request parameter <c>segment</c>: the model's segment column's value for every row; null when absent.</param>
internal sealed record RestInferenceRequest(string Id, IReadOnlyList<RestInput> Inputs, IReadOnlyList<string> RequestedOutputs, string? Segment = null);

/// <summary>One input tensor: its name, declared datatype and shape, and its elements as FP32.</summary>
internal sealed record RestInput(string Name, string Datatype, long[] Shape, List<float> Values);

/// <summary>
/// Reads the protocol's <c>$inference_request</c> with <see cref="Utf8JsonReader"/> straight from the request body:
/// <c>{"id"?, "parameters"?, "inputs": [{"name", "shape", "datatype", "parameters"?, "data"}], "outputs"?: [{"name", "parameters"?}]}</c>.
/// <c>data</c> is row-major, flat or nested one array per dimension (then every array must have its dimension's
/// length). FP32 elements are read as float32 directly (so a float32 written as its shortest round-trip text comes
/// back bit for bit); FP64, INT32, INT64 and BOOL elements are converted to the nearest float32 (BOOL: 1 or 0);
/// <c>null</c> in FP32 or FP64 data is a missing value (NaN), which JSON cannot write otherwise. Unknown fields are ignored.
/// </summary>
internal static class InferenceRequestJson
{
    /// <summary>The datatypes whose data this binding converts to the model's FP32.</summary>
    public const string SupportedDatatypes = "FP32, FP64, INT32, INT64 or BOOL";

    private const string Example = "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, n], \"datatype\": \"FP32\", \"data\": [...]}]}";

    private enum Kind { Fp32, Fp64, Int32, Int64, Bool }

    /// <exception cref="ArgumentException">Malformed JSON, or a request the protocol does not allow, saying what to fix.</exception>
    public static RestInferenceRequest Parse(ReadOnlySequence<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            var request = ReadRequest(ref reader);
            // Reading past the object makes the reader refuse anything after it.
            reader.Read();
            return request;
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"The body is not valid JSON ({ex.Message}); send {Example}.", ex);
        }
        catch (InvalidOperationException ex)
        {
            // A string the reader cannot turn into text: an escaped lone surrogate ("\ud800") or invalid UTF-8 (found by fuzzing: it was a 500).
            throw new ArgumentException($"The body has a string that is not valid Unicode ({ex.Message}); send {Example}.", ex);
        }
    }

    private static RestInferenceRequest ReadRequest(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new ArgumentException($"The body must be a JSON object: {Example}.");
        }
        var id = string.Empty;
        string? segment = null;
        List<RestInput>? inputs = null;
        var outputs = new List<string>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                id = ReadString(ref reader, "id");
            }
            else if (reader.ValueTextEquals("inputs"u8))
            {
                ReadArrayStart(ref reader, "inputs");
                inputs = [];
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    inputs.Add(ReadInput(ref reader, inputs.Count));
                }
            }
            else if (reader.ValueTextEquals("outputs"u8))
            {
                ReadArrayStart(ref reader, "outputs");
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    outputs.Add(ReadOutputName(ref reader, outputs.Count));
                }
            }
            else if (reader.ValueTextEquals("parameters"u8))
            {
                segment = ReadSegmentParameter(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return inputs is null
            ? throw new ArgumentException($"The request has no 'inputs': send {Example}.")
            : new RestInferenceRequest(id, inputs, outputs, segment);
    }

    /// <summary>The request's <c>parameters</c> object: its <c>segment</c> (a string, or a number or bool as its text); the others are skipped.</summary>
    private static string? ReadSegmentParameter(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new ArgumentException("'parameters' must be an object of name/value pairs.");
        }
        string? segment = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isSegment = reader.ValueTextEquals("segment"u8);
            reader.Read();
            if (!isSegment)
            {
                reader.Skip();
                continue;
            }
            segment = reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString(),
                JsonTokenType.Number => Text(ref reader),
                JsonTokenType.True => "true",
                JsonTokenType.False => "false",
                JsonTokenType.Null => null,
                _ => throw new ArgumentException($"parameters.segment must be the segment column's value (a string or a number), not {Describe(ref reader)}."),
            };
        }
        return segment;
    }

    private static RestInput ReadInput(ref Utf8JsonReader reader, int index)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new ArgumentException($"inputs[{index}] must be an object with name, shape, datatype and data.");
        }
        string? name = null, datatype = null;
        long[]? shape = null;
        // The data may come before the datatype and shape that say how to read it: keep a reader positioned on it
        // (a copy of the struct) and read it once the object is done.
        var data = default(Utf8JsonReader);
        var hasData = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                name = ReadString(ref reader, $"inputs[{index}].name");
            }
            else if (reader.ValueTextEquals("datatype"u8))
            {
                datatype = ReadString(ref reader, $"inputs[{index}].datatype");
            }
            else if (reader.ValueTextEquals("shape"u8))
            {
                shape = ReadShape(ref reader, index);
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                ReadArrayStart(ref reader, $"inputs[{index}].data");
                data = reader;
                hasData = true;
                reader.Skip();
            }
            else
            {
                SkipValue(ref reader, "parameters"u8);
            }
        }
        if (name is null || datatype is null || shape is null || !hasData)
        {
            var missing = name is null ? "name" : datatype is null ? "datatype" : shape is null ? "shape" : "data";
            throw new ArgumentException($"inputs[{index}] lacks '{missing}': each input needs name, shape, datatype and data.");
        }
        var kind = datatype switch
        {
            "FP32" => Kind.Fp32,
            "FP64" => Kind.Fp64,
            "INT32" => Kind.Int32,
            "INT64" => Kind.Int64,
            "BOOL" => Kind.Bool,
            _ => throw new ArgumentException($"Input '{name}' is {datatype}, which this server does not take: send {SupportedDatatypes} (the model reads FP32)."),
        };
        return new RestInput(name, datatype, shape, ReadData(ref data, kind, name, datatype, shape));
    }

    private static long[] ReadShape(ref Utf8JsonReader reader, int index)
    {
        ReadArrayStart(ref reader, $"inputs[{index}].shape");
        var shape = new List<long>(2);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var dimension) || dimension < 0)
            {
                throw new ArgumentException($"inputs[{index}].shape must be an array of non-negative whole numbers, such as [1, n].");
            }
            shape.Add(dimension);
        }
        return shape.ToArray();
    }

    /// <summary>Reads row-major data, flat or nested as the shape says, from a reader on its opening bracket.</summary>
    private static List<float> ReadData(ref Utf8JsonReader reader, Kind kind, string name, string datatype, long[] shape)
    {
        const long MaxReserved = 1 << 20;
        var expected = 1L;
        foreach (var dimension in shape)
        {
            expected = Math.Min(expected * Math.Min(dimension, MaxReserved), MaxReserved);
        }
        var values = new List<float>((int)expected);
        // counts[d]: elements seen so far in the open array at depth d (0: the data array itself).
        var counts = new int[Math.Max(shape.Length, 1)];
        var depth = 0;
        bool? nested = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    if (nested == false)
                    {
                        throw new ArgumentException($"Input '{name}' mixes values and arrays in its data: send it flat, or nested one array per dimension of its shape {Shape(shape)}.");
                    }
                    nested = true;
                    if (depth + 1 >= shape.Length)
                    {
                        throw new ArgumentException($"Input '{name}' nests its data deeper than its shape {Shape(shape)}: nest one array per dimension, or send it flat.");
                    }
                    counts[depth]++;
                    counts[++depth] = 0;
                    break;
                case JsonTokenType.EndArray:
                    if (nested == true && counts[depth] != shape[depth])
                    {
                        throw new ArgumentException($"Input '{name}' has an array of {counts[depth]} elements at depth {depth + 1} of its data where its shape {Shape(shape)} says {shape[depth]}: nest the data as the shape says, or send it flat.");
                    }
                    if (depth == 0)
                    {
                        return values;
                    }
                    depth--;
                    break;
                default:
                    nested ??= false;
                    if (nested == true && depth != shape.Length - 1)
                    {
                        throw new ArgumentException($"Input '{name}' has a value at depth {depth + 1} of its nested data where its shape {Shape(shape)} needs arrays: nest one array per dimension, or send it flat.");
                    }
                    counts[depth]++;
                    values.Add(ReadElement(ref reader, kind, name, datatype, values.Count));
                    break;
            }
        }
        throw new JsonException("The data array does not end.");
    }

    private static float ReadElement(ref Utf8JsonReader reader, Kind kind, string name, string datatype, int index)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                switch (kind)
                {
                    case Kind.Fp32 when reader.TryGetSingle(out var single):
                        return single;
                    case Kind.Fp64 when reader.TryGetDouble(out var wide) && float.IsFinite((float)wide):
                        return (float)wide;
                    case Kind.Int32 when reader.TryGetInt32(out var integer):
                        return integer;
                    case Kind.Int64 when reader.TryGetInt64(out var longInteger):
                        return longInteger;
                    case Kind.Fp32 or Kind.Fp64:
                        throw new ArgumentException($"Input '{name}' element {index} ({Text(ref reader)}) is outside FP32's range (the model reads FP32).");
                    case Kind.Int32 or Kind.Int64:
                        throw new ArgumentException($"Input '{name}' element {index} ({Text(ref reader)}) is not an {datatype}: send whole numbers in its range, or another datatype.");
                }
                break;
            case JsonTokenType.True when kind == Kind.Bool:
                return 1;
            case JsonTokenType.False when kind == Kind.Bool:
                return 0;
            case JsonTokenType.Null when kind is Kind.Fp32 or Kind.Fp64:
                return float.NaN;
        }
        var expected = kind switch
        {
            Kind.Bool => "true or false",
            Kind.Fp32 or Kind.Fp64 => "numbers (null for a missing value)",
            _ => "whole numbers",
        };
        throw new ArgumentException($"Input '{name}' is {datatype} but element {index} is {Describe(ref reader)}: send {expected}.");
    }

    private static string ReadOutputName(ref Utf8JsonReader reader, int index)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new ArgumentException($"outputs[{index}] must be an object with a name.");
        }
        string? name = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                name = ReadString(ref reader, $"outputs[{index}].name");
            }
            else
            {
                SkipValue(ref reader, "parameters"u8);
            }
        }
        return name ?? throw new ArgumentException($"outputs[{index}] lacks 'name'.");
    }

    private static string ReadString(ref Utf8JsonReader reader, string field)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new ArgumentException($"'{field}' must be a string.");
    }

    private static void ReadArrayStart(ref Utf8JsonReader reader, string field)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new ArgumentException($"'{field}' must be an array.");
        }
    }

    /// <summary>Skips a property's value; <c>parameters</c> (of the protocol's, none defined yet) must at least be an object.</summary>
    private static void SkipValue(ref Utf8JsonReader reader, ReadOnlySpan<byte> objectOnly)
    {
        var isParameters = reader.ValueTextEquals(objectOnly);
        reader.Read();
        if (isParameters && reader.TokenType != JsonTokenType.StartObject)
        {
            throw new ArgumentException("'parameters' must be an object of name/value pairs.");
        }
        reader.Skip();
    }

    private static string Shape(long[] shape) => $"[{string.Join(", ", shape)}]";

    private static string Text(ref Utf8JsonReader reader) =>
        Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);

    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => $"the string \"{reader.GetString()}\"",
        JsonTokenType.Number => Text(ref reader),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        _ => "an object",
    };
}
