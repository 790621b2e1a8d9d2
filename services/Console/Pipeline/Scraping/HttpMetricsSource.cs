using System.Net;

namespace Cascade.WebConsole.Pipeline.Scraping;

/// <summary>
/// A service's <c>/metrics</c> over HTTP (the distributed deployment): asks for the plain text format (not OpenMetrics),
/// through the console's client, which carries TLS as the process's settings say and its service key where one is set
/// (<c>Cascade:Auth:ServiceKey</c>), so a service whose <c>/metrics</c> is protected lets it read.
/// </summary>
internal sealed class HttpMetricsSource(HttpClient client, Uri url) : IMetricsSource
{
    public async Task<string> ReadAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("text/plain; version=0.0.4");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var hint = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                ? " (its /metrics is protected: give the console a service key, Cascade:Auth:ServiceKey, of a role that may read it)"
                : string.Empty;
            throw new HttpRequestException($"{url} answered {(int)response.StatusCode} {response.ReasonPhrase}{hint}", null, response.StatusCode);
        }
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        // The exporter answers an empty 200 without a content type while nothing was measured yet.
        var type = response.Content.Headers.ContentType?.MediaType;
        if (type != "text/plain" && !(type is null && text.Length == 0))
        {
            throw new HttpRequestException($"{url} answered {type ?? "no content type"}, not Prometheus text (text/plain)");
        }
        return text;
    }
}
