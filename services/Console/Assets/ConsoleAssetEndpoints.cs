using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Cascade.WebConsole.Assets;

/// <summary>Serves the page at <c>/</c> and its assets under <c>/console/</c>, with caching headers and a strict content policy.</summary>
internal static class ConsoleAssetEndpoints
{
    // Everything the page loads comes from this origin: no CDN, no inline script. uPlot sizes its parts through
    // element styles, which style-src governs only for markup, hence 'unsafe-inline' for styles alone.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", (HttpContext http, ConsoleAssets assets) => Serve(http, assets.Page, immutable: false));
        endpoints.MapGet("/console/{**path}", (HttpContext http, ConsoleAssets assets, string path) =>
        {
            if (assets.Find(path) is not { } asset || path == "index.html")
            {
                return Results.Json(new { error = $"No console file '{path}'." }, statusCode: StatusCodes.Status404NotFound);
            }
            // A link with the current hash may be kept for good; anything else is checked again each time.
            var immutable = http.Request.Query["v"] == asset.Hash;
            return Serve(http, asset, immutable);
        });
    }

    private static IResult Serve(HttpContext http, ConsoleAsset asset, bool immutable)
    {
        var headers = http.Response.Headers;
        headers.CacheControl = immutable ? "public, max-age=31536000, immutable" : "no-cache";
        headers.ETag = asset.ETag;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        if (asset.ContentType.StartsWith("text/html", StringComparison.Ordinal))
        {
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
        }
        if (http.Request.Headers.IfNoneMatch.Contains(asset.ETag))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }
        return Results.Bytes(asset.Content, asset.ContentType);
    }
}
