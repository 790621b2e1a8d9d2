using Microsoft.AspNetCore.Builder;

namespace Cascade.Hosting.Grpc;

/// <summary>
/// Restores '/' in REST route variables. google.api.http says a one-segment variable (<c>{alert_id}</c>) arrives
/// percent-encoded and the server decodes it; Kestrel decodes a request path except <c>%2F</c> (so it cannot make new
/// segments), and JSON transcoding then hands the handler the id still holding <c>%2F</c>. Decoded here, after routing
/// has matched the segments, every REST route gets the value its client encoded (alert ids hold '/').
/// </summary>
public static class RouteSlashDecoding
{
    public static WebApplication UseRouteSlashDecoding(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var values = context.Request.RouteValues;
            // Collected first (a dictionary must not change while enumerated); nothing is allocated when none holds %2F,
            // so gRPC calls, whose routes have no variables, pay one empty loop.
            List<string>? encoded = null;
            foreach (var (name, value) in values)
            {
                if (value is string text && text.Contains("%2F", StringComparison.OrdinalIgnoreCase)) (encoded ??= []).Add(name);
            }
            if (encoded is not null)
            {
                foreach (var name in encoded) values[name] = ((string)values[name]!).Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
            }
            return next(context);
        });
        return app;
    }
}
