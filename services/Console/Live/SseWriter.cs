using System.Text;
using Microsoft.AspNetCore.Http;

namespace Cascade.WebConsole.Live;

/// <summary>Writes Server-Sent Events (the <c>text/event-stream</c> format) and flushes each one, so it leaves at once.</summary>
internal sealed class SseWriter(HttpResponse response)
{
    /// <summary>One event; <paramref name="data"/> is one line of JSON (proto JSON and System.Text.Json write no raw newlines).</summary>
    public Task EventAsync(string name, string data, CancellationToken cancellationToken)
    {
        if (data.Contains('\n') || data.Contains('\r')) throw new ArgumentException("Event data must be one line.", nameof(data));
        return WriteAsync($"event: {name}\ndata: {data}\n\n", cancellationToken);
    }

    /// <summary>A comment line: ignored by the browser, but proof the stream is alive.</summary>
    public Task CommentAsync(string text, CancellationToken cancellationToken) => WriteAsync($": {text}\n\n", cancellationToken);

    private async Task WriteAsync(string text, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
        // No token on the flush: a cancelled flush can make Kestrel reset the connection mid-event.
        await response.Body.FlushAsync(CancellationToken.None);
    }
}
