using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Cascade.Fuzz.Live;

/// <summary>
/// Sends cases as they are, bytes and all: gRPC as raw HTTP/2 requests (prior knowledge, as gRPC clients speak to an
/// h2c port) so broken framing and lying lengths reach the server, REST over HTTP/1.1.
/// </summary>
public sealed class Executor : IDisposable
{
    /// <summary>How long an answer may take before the case is a finding ("no answer").</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(20);

    private readonly HttpClient _grpc;
    private readonly HttpClient _rest;
    private readonly Uri _grpcBase;
    private readonly Uri _restBase;

    public Executor(string grpc, string http)
    {
        _grpcBase = new Uri(grpc);
        _restBase = new Uri(http);
        _grpc = new HttpClient(new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _rest = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public Task<Answer> SendAsync(FuzzCase fuzzCase, CancellationToken cancellationToken) =>
        fuzzCase.Kind == "grpc" ? SendGrpcAsync(fuzzCase, cancellationToken) : SendRestAsync(fuzzCase, cancellationToken);

    private async Task<Answer> SendGrpcAsync(FuzzCase fuzzCase, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_grpcBase, fuzzCase.Path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(fuzzCase.Body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (var (name, value) in fuzzCase.Headers) request.Headers.TryAddWithoutValidation(name, value);
        // A deadline the server should enforce itself; the client gives up a little later.
        var limit = fuzzCase.DeadlineMs > 0 ? TimeSpan.FromMilliseconds(fuzzCase.DeadlineMs) + TimeSpan.FromSeconds(5) : AnswerTimeout;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        try
        {
            using var response = await _grpc.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (Status(response.Headers) is { } trailersOnly)
            {
                return new Answer((int)response.StatusCode, trailersOnly, Message(response.Headers), null, stopwatch.Elapsed);
            }
            await using (var body = await response.Content.ReadAsStreamAsync(timeout.Token))
            {
                await body.CopyToAsync(Stream.Null, timeout.Token);
            }
            return new Answer((int)response.StatusCode, Status(response.TrailingHeaders), Message(response.TrailingHeaders), null, stopwatch.Elapsed);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return fuzzCase.DeadlineMs > 0
                ? new Answer(200, null, string.Empty, $"no status {limit.TotalSeconds:0.#} s after a deadline of {fuzzCase.DeadlineMs} ms", stopwatch.Elapsed)
                : new Answer(0, null, string.Empty, $"no answer in {limit.TotalSeconds:0} s", stopwatch.Elapsed);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException && Reset(ex) is { } reset)
        {
            // The server reset the stream: the gRPC status is the one PROTOCOL-HTTP2.md maps its error code to.
            return new Answer(200, (int)reset.Status, $"RST_STREAM {reset.Code}", null, stopwatch.Elapsed);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return new Answer(0, null, string.Empty, Describe(ex), stopwatch.Elapsed);
        }
    }

    /// <summary>An exception and its inner ones, one message each (what a transport failure was).</summary>
    private static string Describe(Exception exception)
    {
        var parts = new List<string>();
        for (var ex = exception; ex is not null; ex = ex.InnerException) parts.Add($"{ex.GetType().Name}: {ex.Message}");
        return string.Join(" <- ", parts);
    }

    /// <summary>The HTTP/2 error code of a stream reset and its gRPC status (PROTOCOL-HTTP2.md, "Errors").</summary>
    private static (long Code, Grpc.Core.StatusCode Status)? Reset(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            if (ex is HttpProtocolException protocol)
            {
                return (protocol.ErrorCode, protocol.ErrorCode switch
                {
                    0x7 => Grpc.Core.StatusCode.Unavailable, // REFUSED_STREAM
                    0x8 => Grpc.Core.StatusCode.Cancelled, // CANCEL
                    0xB => Grpc.Core.StatusCode.ResourceExhausted, // ENHANCE_YOUR_CALM
                    0xC => Grpc.Core.StatusCode.PermissionDenied, // INADEQUATE_SECURITY
                    _ => Grpc.Core.StatusCode.Internal,
                });
            }
        }
        return null;
    }

    private static int? Status(HttpHeaders headers) =>
        headers.TryGetValues("grpc-status", out var values) && int.TryParse(values.FirstOrDefault(), out var status) ? status : null;

    private static string Message(HttpHeaders headers) =>
        headers.TryGetValues("grpc-message", out var values) ? Uri.UnescapeDataString(values.FirstOrDefault() ?? string.Empty) : string.Empty;

    private async Task<Answer> SendRestAsync(FuzzCase fuzzCase, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(new HttpMethod(fuzzCase.Verb), _restBase.GetLeftPart(UriPartial.Authority) + fuzzCase.Path);
        if (fuzzCase.Verb is "POST" or "PUT" or "PATCH")
        {
            request.Content = new ByteArrayContent(fuzzCase.Body);
            if (fuzzCase.Headers.TryGetValue("content-type", out var type)) request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // A streamed answer (alerts:watch) starts with its first event, which may never come: a short wait is enough.
        timeout.CancelAfter(fuzzCase.Streams ? TimeSpan.FromSeconds(1) : AnswerTimeout);
        try
        {
            using var response = await _rest.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            // A streamed answer never ends: what matters is how it started. Routes that are not transcoded gRPC (the
            // console's Server-Sent Events) say so by their content type.
            var eventStream = response.Content.Headers.ContentType?.MediaType == "text/event-stream";
            var streamed = (fuzzCase.Streams || eventStream) && status == 200;
            var body = new MemoryStream();
            try
            {
                await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
                using var read = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
                if (streamed) read.CancelAfter(TimeSpan.FromMilliseconds(300));
                var buffer = new byte[16 * 1024];
                int n;
                while ((n = await stream.ReadAsync(buffer, read.Token)) > 0)
                {
                    if (body.Length < 8 * 1024 * 1024) body.Write(buffer, 0, n); // an error may quote a huge value whole
                }
            }
            catch (OperationCanceledException) when (streamed && !timeout.IsCancellationRequested)
            {
                return new Answer(status, null, string.Empty, null, stopwatch.Elapsed, ClientCancelled: true);
            }
            var text = AsUtf8(body.ToArray(), response.Content.Headers.ContentType?.CharSet, out var charset);
            return new Answer(status, null, ErrorMessage(text), null, stopwatch.Elapsed)
            {
                Body = charset.GetString(body.GetBuffer(), 0, (int)Math.Min(body.Length, 300)),
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return fuzzCase.Streams
                ? new Answer(0, null, string.Empty, null, stopwatch.Elapsed, ClientCancelled: true)
                : new Answer(0, null, string.Empty, $"no answer in {AnswerTimeout.TotalSeconds:0} s", stopwatch.Elapsed);
        }
        catch (HttpRequestException ex)
        {
            return new Answer(0, null, string.Empty, Describe(ex), stopwatch.Elapsed);
        }
    }

    /// <summary>
    /// A body's bytes as UTF-8, decoded by the charset its content type declares. JSON transcoding answers in the
    /// charset the request declared (a request sent as <c>charset=latin1</c> gets <c>charset=iso-8859-1</c> back, a
    /// valid answer), so reading every body as UTF-8 reported correct answers as broken (run 10, case 82,975). A charset
    /// .NET does not know is read as UTF-8, so what it cannot decode still shows.
    /// </summary>
    private static byte[] AsUtf8(byte[] body, string? declared, out System.Text.Encoding charset)
    {
        charset = System.Text.Encoding.UTF8;
        if (string.IsNullOrEmpty(declared)) return body;
        try
        {
            charset = System.Text.Encoding.GetEncoding(declared.Trim('"'));
        }
        catch (ArgumentException)
        {
            return body;
        }
        return charset.CodePage == System.Text.Encoding.UTF8.CodePage ? body : System.Text.Encoding.Convert(charset, System.Text.Encoding.UTF8, body);
    }

    /// <summary>The error text of a JSON error body: <c>message</c> (transcoding) or <c>error</c> (OIP v2).</summary>
    private static string ErrorMessage(byte[] body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object) return string.Empty;
            foreach (var name in new[] { "message", "error", "detail", "title" })
            {
                if (json.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String) return value.GetString() ?? string.Empty;
            }
        }
        catch (JsonException)
        {
        }
        catch (InvalidOperationException)
        {
            // A string that is not valid UTF-8: the host wrote JSON no client can read (Classifier reports it).
            return InvalidUtf8;
        }
        return string.Empty;
    }

    /// <summary>What <see cref="ErrorMessage"/> returns for an error body whose strings are not valid UTF-8.</summary>
    public const string InvalidUtf8 = "(the error body's JSON holds a string that is not valid UTF-8)";

    public void Dispose()
    {
        _grpc.Dispose();
        _rest.Dispose();
    }
}
