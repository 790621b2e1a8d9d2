using Cascade.WebConsole.Options;
using Cascade.Contracts.Monitoring.V1;
using Cascade.Hosting.Security;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Cascade.WebConsole.Live;

/// <summary>
/// <c>GET /console/api/alerts/stream</c>: Monitoring's <c>WatchAlerts</c> as Server-Sent Events, which a page reads
/// without a gRPC-Web library. The stream opens at once with an <c>open</c> event, replays recent alerts (the snapshot),
/// preceded by an <c>acknowledgements</c> event saying who acknowledged which of them and when, then sends each new one as an <c>alert</c> event (the alert in proto JSON, as the REST API writes it), and a comment
/// every few seconds while the cluster is quiet. Authorized as <c>WatchAlerts</c>; the caller's credentials travel on, so
/// Monitoring authorizes the call it receives as well.
/// </summary>
internal static partial class AlertStreamEndpoint
{
    private const string Method = "cascade.monitoring.v1.Monitoring/WatchAlerts";
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));

    public static void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/console/api/alerts/stream", StreamAsync);

    private static async Task StreamAsync(HttpContext http, MonitoringChannel monitoring, ConsoleOptions options, AccessControl access, ILoggerFactory loggers)
    {
        // Authorized here as WatchAlerts on the models the page names (?model=a&model=b; none: every model), so a key
        // limited to some models may watch those, and a refusal is a plain 401/403 before the stream opens.
        var models = http.Request.Query["model"].Where(m => !string.IsNullOrEmpty(m)).Select(m => m!).ToArray();
        var decision = access.Decide(http, http.User, Method, AccessRules.For(Method), models);
        if (decision.IsAllowed) decision = access.Limit(http.User, Method);
        if (!decision.IsAllowed)
        {
            if (decision.Status == StatusCode.Unauthenticated) http.Response.Headers.WWWAuthenticate = "Bearer";
            http.Response.StatusCode = decision.HttpStatus;
            await http.Response.WriteAsJsonAsync(new { error = decision.Message });
            return;
        }

        var aborted = http.RequestAborted;
        var client = new Contracts.Monitoring.V1.Monitoring.MonitoringClient(monitoring.Channel);
        var metadata = new Metadata();
        if (http.Request.Headers.Authorization is { Count: > 0 } authorization) metadata.Add("authorization", authorization.ToString());
        using var call = client.WatchAlerts(new WatchAlertsRequest { Replay = options.AlertReplay, Models = { models } }, metadata, cancellationToken: aborted);

        http.Response.ContentType = "text/event-stream; charset=utf-8";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no"; // nginx and its kind would otherwise hold events back
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var writer = new SseWriter(http.Response);
        await writer.EventAsync("open", $"{{\"replay\":{options.AlertReplay}}}", aborted);
        try
        {
            await writer.EventAsync("acknowledgements", await AcknowledgementSnapshot.JsonAsync(client, models, options.AlertReplay, metadata, aborted), aborted);
        }
        catch (Exception ex) when (aborted.IsCancellationRequested && ex is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled } or IOException)
        {
            return; // the page went away while its acknowledgements were read (found by the live fuzz test)
        }
        catch (RpcException ex)
        {
            // The alerts still stream; only whether they were acknowledged is missing from this page's first view.
            LogAcknowledgementsUnavailable(loggers.CreateLogger(typeof(AlertStreamEndpoint).FullName!), ex.StatusCode, ex.Status.Detail);
        }

        using var keepAlive = new PeriodicTimer(TimeSpan.FromSeconds(options.KeepAliveSeconds));
        var next = call.ResponseStream.MoveNext(aborted);
        var tick = keepAlive.WaitForNextTickAsync(aborted).AsTask();
        try
        {
            while (true)
            {
                var done = await Task.WhenAny(next, tick);
                if (done == tick)
                {
                    await tick;
                    await writer.CommentAsync("keep-alive", aborted);
                    tick = keepAlive.WaitForNextTickAsync(aborted).AsTask();
                    continue;
                }
                if (!await next) break; // Monitoring ended the stream (it is stopping): the page reconnects
                await writer.EventAsync("alert", Json.Format(call.ResponseStream.Current), aborted);
                next = call.ResponseStream.MoveNext(aborted);
            }
        }
        catch (Exception ex) when (aborted.IsCancellationRequested && ex is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled } or IOException)
        {
            // The page went away.
        }
        catch (RpcException ex)
        {
            // Headers are sent: the refusal or failure travels as an event the page shows, then the stream ends.
            LogStreamFailed(loggers.CreateLogger(typeof(AlertStreamEndpoint).FullName!), ex.StatusCode, ex.Status.Detail);
            await writer.EventAsync("failure", System.Text.Json.JsonSerializer.Serialize(new { status = ex.StatusCode.ToString(), error = ex.Status.Detail }), CancellationToken.None);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The console's live alert stream opened without acknowledgements: {Status} {Detail}")]
    private static partial void LogAcknowledgementsUnavailable(ILogger logger, StatusCode status, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The console's live alert stream failed: {Status} {Detail}")]
    private static partial void LogStreamFailed(ILogger logger, StatusCode status, string detail);
}
