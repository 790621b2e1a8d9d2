using System.Text;
using Cascade.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cascade.WebConsole.Pipeline.Scraping;

/// <summary>
/// This process's own <c>/metrics</c>, read without the network (the all-in-one host): the endpoint's handler, which is
/// OpenTelemetry's exporter, is called with a request made here, so the figures come from the totals OpenTelemetry
/// already keeps for every instrument, and nothing listens to single measurements. The call goes past authentication
/// (the process reads itself), so <c>Cascade:Auth:ProtectMetrics</c> needs no key here.
/// </summary>
internal sealed class InProcessMetricsSource(EndpointDataSource endpoints, IServiceProvider services) : IMetricsSource
{
    public async Task<string> ReadAsync(CancellationToken cancellationToken)
    {
        var scrape = endpoints.Endpoints.OfType<RouteEndpoint>().FirstOrDefault(e => e.RoutePattern.RawText == MetricsEndpoint.Path)?.RequestDelegate
            ?? throw new InvalidOperationException($"This process serves no {MetricsEndpoint.Path}: there are no totals to read.");
        var http = new DefaultHttpContext { RequestServices = services, RequestAborted = cancellationToken };
        http.Request.Method = HttpMethods.Get;
        http.Request.Path = MetricsEndpoint.Path;
        using var body = new MemoryStream();
        http.Response.Body = body;
        await scrape(http);
        if (http.Response.StatusCode != StatusCodes.Status200OK)
        {
            throw new HttpRequestException($"this process's {MetricsEndpoint.Path} answered {http.Response.StatusCode}", null, (System.Net.HttpStatusCode)http.Response.StatusCode);
        }
        return Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length);
    }
}
