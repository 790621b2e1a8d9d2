using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cascade.Fuzz.Live;

/// <summary>What the bytes of a gRPC case are, which decides the statuses the specification allows for it.</summary>
public enum Payload
{
    /// <summary>Every message is well framed and decodes, within the size limit: the handler must judge the content.</summary>
    Decodable,

    /// <summary>A message does not decode as its type: INTERNAL (or, for a stream, a refusal of an earlier message).</summary>
    Undecodable,

    /// <summary>The framing is broken (a lying length, a cut header, a compressed flag without compression): INTERNAL.</summary>
    BadFrame,

    /// <summary>A message beyond the 4 MiB receive limit: RESOURCE_EXHAUSTED.</summary>
    Oversized,

    /// <summary>Compressed with an encoding the server does not support: UNIMPLEMENTED.</summary>
    UnsupportedEncoding,
}

/// <summary>
/// One generated input, gRPC or REST, as sent (kept whole so a finding can be replayed: the campaign writes the cases
/// that found something as JSON files, which the regression tests replay).
/// </summary>
public sealed record FuzzCase
{
    /// <summary><c>grpc</c> or <c>rest</c>.</summary>
    [JsonPropertyName("kind")] public required string Kind { get; init; }

    /// <summary>How the case was made (for the report).</summary>
    [JsonPropertyName("strategy")] public required string Strategy { get; init; }

    /// <summary>gRPC: the method's path; REST: the route template it was made for.</summary>
    [JsonPropertyName("target")] public required string Target { get; init; }

    /// <summary>gRPC: POST; REST: the verb.</summary>
    [JsonPropertyName("verb")] public string Verb { get; init; } = "POST";

    /// <summary>The request path with its query (REST: parameters filled in; gRPC: the method's path).</summary>
    [JsonPropertyName("path")] public required string Path { get; init; }

    [JsonPropertyName("headers")] public Dictionary<string, string> Headers { get; init; } = [];

    /// <summary>The request body (gRPC: the framed messages).</summary>
    [JsonPropertyName("body")] public byte[] Body { get; init; } = [];

    /// <summary>gRPC only: what the body is.</summary>
    [JsonPropertyName("payload"), JsonConverter(typeof(JsonStringEnumConverter<Payload>))] public Payload Payload { get; init; }

    /// <summary>gRPC only: whether the method streams requests (then a refusal may come before a bad message is read).</summary>
    [JsonPropertyName("client_streams")] public bool ClientStreams { get; init; }

    /// <summary>REST only: the route streams its answer (a transcoded server-streaming method), which may not start until there is something to send.</summary>
    [JsonPropertyName("streams")] public bool Streams { get; init; }

    /// <summary>gRPC only: the deadline sent (grpc-timeout), in milliseconds; 0 for none.</summary>
    [JsonPropertyName("deadline_ms")] public int DeadlineMs { get; init; }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static FuzzCase FromJson(string json) => JsonSerializer.Deserialize<FuzzCase>(json, Json) ?? throw new InvalidDataException("An empty case file.");

    /// <summary>A short name for tallies: the method or route, and how the case was made.</summary>
    public override string ToString() => $"{Kind} {Verb} {Path[..Math.Min(Path.Length, 120)]} ({Strategy}, {Body.Length} bytes)";
}

/// <summary>What came back for a case.</summary>
/// <param name="HttpStatus">The HTTP status, 0 when no response came.</param>
/// <param name="GrpcStatus">gRPC: the grpc-status, null when none came.</param>
/// <param name="Message">gRPC: grpc-message (decoded); REST: the error text of the body.</param>
/// <param name="Transport">A transport failure or timeout instead of an answer.</param>
public sealed record Answer(int HttpStatus, int? GrpcStatus, string Message, string? Transport, TimeSpan Elapsed, bool ClientCancelled = false)
{
    /// <summary>REST: the start of the body, for reports.</summary>
    public string Body { get; init; } = string.Empty;

    /// <summary>The status a tally counts: the gRPC code's name, or the HTTP status.</summary>
    public string Label => Transport is not null ? "no answer"
        : GrpcStatus is { } code ? ((Grpc.Core.StatusCode)code).ToString()
        : HttpStatus.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
