using System.Net;
using Cascade.WebConsole.Options;
using Cascade.Hosting;
using Cascade.Hosting.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Forwarder;

namespace Cascade.WebConsole.Forwarding;

/// <summary>
/// The distributed console forwards the page's API calls (REST and gRPC-Web, with their <c>authorization</c> header)
/// to the service that answers them (<see cref="ServiceRoutes"/>), over YARP's forwarder. The page thus talks to one
/// origin in both deployments: no CORS, and credentials never leave for another origin. Each service still authorizes
/// every call itself: the console adds no authority of its own.
/// </summary>
internal static class ApiForwarding
{
    public static void Map(IEndpointRouteBuilder endpoints, ConsoleOptions options, ServiceHostOptions host)
    {
        var forwarder = endpoints.ServiceProvider.GetRequiredService<IHttpForwarder>();
        var handler = ClientTls.CreateHandler(host.Tls);
        handler.UseProxy = false;
        handler.AllowAutoRedirect = false;
        handler.AutomaticDecompression = DecompressionMethods.None;
        handler.UseCookies = false;
        var invoker = new HttpMessageInvoker(handler);
        // Streams (the REST form of WatchAlerts) stay open as long as the service keeps them.
        var config = new ForwarderRequestConfig { ActivityTimeout = Timeout.InfiniteTimeSpan };
        foreach (var route in ServiceRoutes.For(ServiceRoutes.Services))
        {
            if (!options.Upstreams.TryGetValue(route.Area, out var origin)) continue;
            endpoints.Map(route.Template, http => ForwardAsync(http, forwarder, origin, invoker, config)).WithMetadata(new HttpMethodMetadata([route.Verb]));
        }
        // The Open Inference Protocol's REST binding is Serving's.
        if (options.Upstreams.TryGetValue("serving", out var serving))
        {
            endpoints.Map("/v2/{**path}", http => ForwardAsync(http, forwarder, serving, invoker, config));
        }
    }

    private static async Task ForwardAsync(HttpContext http, IHttpForwarder forwarder, string origin, HttpMessageInvoker invoker, ForwarderRequestConfig config)
    {
        var error = await forwarder.SendAsync(http, origin, invoker, config, HttpTransformer.Default);
        if (error != ForwarderError.None && !http.Response.HasStarted)
        {
            http.Response.StatusCode = StatusCodes.Status502BadGateway;
            await http.Response.WriteAsJsonAsync(new { error = $"the service at {origin} did not answer ({error})" });
        }
    }
}
