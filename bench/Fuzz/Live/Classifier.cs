using Grpc.Core;

namespace Cascade.Fuzz.Live;

/// <summary>
/// Judges an answer by the gRPC specification's status codes (<c>doc/statuscodes.md</c>) and the REST bindings'
/// contracts. gRPC: INTERNAL only for bytes that do not decode or framing that breaks the protocol; never UNKNOWN
/// (an exception a handler did not map); RESOURCE_EXHAUSTED past the size limit; UNIMPLEMENTED for an unsupported
/// compression; for decodable content, OK or a refusal that says why (INVALID_ARGUMENT, FAILED_PRECONDITION,
/// NOT_FOUND, ALREADY_EXISTS, OUT_OF_RANGE, ...), with a message; CANCELLED or DEADLINE_EXCEEDED only when a deadline
/// was set. REST: never a 5xx but 503 (not ready / unavailable), and every 4xx of an API route with its message.
/// </summary>
public static class Classifier
{
    /// <summary>Refusals a handler may give decodable content, each with a message saying what is wrong.</summary>
    public static readonly IReadOnlySet<StatusCode> Refusals = new HashSet<StatusCode>
    {
        StatusCode.InvalidArgument, StatusCode.FailedPrecondition, StatusCode.NotFound, StatusCode.AlreadyExists,
        StatusCode.OutOfRange, StatusCode.ResourceExhausted, StatusCode.Aborted, StatusCode.PermissionDenied,
        StatusCode.Unauthenticated, StatusCode.Unimplemented, StatusCode.Unavailable,
    };

    /// <summary>The longest grpc-message allowed, in UTF-8 bytes: well inside gRPC C-core's 8 KiB of metadata.</summary>
    public const int MaxMessageBytes = 4096;

    /// <summary>Null when the answer is one the specification allows for the case, else why not.</summary>
    public static string? Judge(FuzzCase fuzzCase, Answer answer) =>
        fuzzCase.Kind == "grpc" ? JudgeGrpc(fuzzCase, answer) : JudgeRest(fuzzCase, answer);

    private static string? JudgeGrpc(FuzzCase fuzzCase, Answer answer)
    {
        if (answer.Transport is not null)
        {
            return $"no gRPC answer: {answer.Transport}";
        }
        if (answer.HttpStatus != 200)
        {
            return $"HTTP {answer.HttpStatus} instead of 200 with a grpc-status";
        }
        if (answer.GrpcStatus is not { } number)
        {
            return answer.ClientCancelled && fuzzCase.DeadlineMs > 0 ? null : "no grpc-status";
        }
        var status = (StatusCode)number;
        if (status == StatusCode.Unknown)
        {
            return $"UNKNOWN (an exception the handler did not map): {answer.Message}";
        }
        if (status != StatusCode.OK && string.IsNullOrWhiteSpace(answer.Message))
        {
            return $"{status} without a message";
        }
        if (System.Text.Encoding.UTF8.GetByteCount(answer.Message) > MaxMessageBytes)
        {
            // Clients cap headers (Grpc.Net.Client 64 KiB, C-core 8 KiB); past that the whole connection fails.
            return $"{status} with a {System.Text.Encoding.UTF8.GetByteCount(answer.Message)}-byte message (trailers no client takes)";
        }
        if (status is StatusCode.Cancelled or StatusCode.DeadlineExceeded)
        {
            return fuzzCase.DeadlineMs > 0 ? null : $"{status} though the call had no deadline";
        }
        if (status is StatusCode.DataLoss)
        {
            return $"DATA_LOSS: {answer.Message}";
        }
        // A stream may be refused for an earlier message before the bad one is read.
        var refusedEarlier = fuzzCase.ClientStreams && status != StatusCode.OK && Refusals.Contains(status);
        return fuzzCase.Payload switch
        {
            Payload.Decodable => status == StatusCode.OK || Refusals.Contains(status) ? null
                : $"{status} for decodable content (INTERNAL is for bytes that do not decode): {answer.Message}",
            Payload.Undecodable or Payload.BadFrame => status == StatusCode.Internal || status == StatusCode.ResourceExhausted || refusedEarlier ? null
                : status == StatusCode.OK ? "OK for bytes that do not decode"
                : $"{status} for bytes that do not decode (expected INTERNAL): {answer.Message}",
            Payload.Oversized => status == StatusCode.ResourceExhausted || refusedEarlier ? null
                : $"{status} for a message over the size limit (expected RESOURCE_EXHAUSTED): {answer.Message}",
            // The size limit is checked before the encoding: an oversized message is RESOURCE_EXHAUSTED whatever it is compressed with.
            Payload.UnsupportedEncoding => status is StatusCode.Unimplemented or StatusCode.Internal or StatusCode.ResourceExhausted || refusedEarlier ? null
                : $"{status} for an unsupported grpc-encoding (expected UNIMPLEMENTED): {answer.Message}",
            _ => null,
        };
    }

    /// <summary>
    /// Whether an error the host logged is one it logs by design rather than a handler failing: a training job that
    /// failed (the fuzzer triggers training on a dataset far too small) is reported FAILED with its reason and its
    /// command dead-lettered, which MassTransit logs at Error (TrainModelConsumer's contract). Nothing else is.
    /// </summary>
    public static bool IsByDesign(CapturedLog log) =>
        log.Category == "MassTransit.ReceiveTransport" && log.Message.Contains("R-FAULT", StringComparison.Ordinal)
        && log.Message.Contains("TrainModelConsumer", StringComparison.Ordinal);

    private static string? JudgeRest(FuzzCase fuzzCase, Answer answer)
    {
        if (answer.Transport is not null)
        {
            // Kestrel answers a malformed request line at once and closes the connection: a client still sending a
            // large body sees the pipe break instead of the 400.
            var refusedWhileSending = fuzzCase.Strategy.StartsWith("raw-", StringComparison.Ordinal) && fuzzCase.Body.Length > 64 * 1024
                && answer.Transport.Contains("Broken pipe", StringComparison.Ordinal);
            return refusedWhileSending ? null : $"no HTTP answer: {answer.Transport}";
        }
        if (answer.HttpStatus >= 500 && answer.HttpStatus != 503)
        {
            return $"HTTP {answer.HttpStatus}: {answer.Message}";
        }
        if (answer.Message == Executor.InvalidUtf8)
        {
            return $"HTTP {answer.HttpStatus}: {answer.Message}";
        }
        var api = fuzzCase.Target.StartsWith("/v1/", StringComparison.Ordinal) || fuzzCase.Target.StartsWith("/v2/models", StringComparison.Ordinal);
        // Kestrel and routing refuse some requests before any handler sees them (a malformed path, a body over the
        // limit, no route for the path a parameter's slash made): no handler, no message. A handler's 4xx has one.
        var beforeHandler = fuzzCase.Strategy.StartsWith("raw-", StringComparison.Ordinal) || fuzzCase.Path.Contains("%00", StringComparison.Ordinal)
            || answer.HttpStatus is 404 or 405 or 411 or 413 or 414 or 415 or 431;
        if (api && !beforeHandler && answer.HttpStatus is >= 400 and < 500 && answer.Message.Length == 0)
        {
            return $"HTTP {answer.HttpStatus} without an error message";
        }
        return null;
    }
}
