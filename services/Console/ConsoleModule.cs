using Cascade.WebConsole.Assets;
using Cascade.WebConsole.Forwarding;
using Cascade.WebConsole.Identity;
using Cascade.WebConsole.Live;
using Cascade.WebConsole.Options;
using Cascade.WebConsole.Pipeline;
using Cascade.WebConsole.Pipeline.Scraping;
using Cascade.Hosting;
using Cascade.Hosting.Grpc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cascade.WebConsole;

/// <summary>
/// Composition of the web console: the page at <c>/</c> (assets under <c>/console/</c>), <c>/console/api/whoami</c>,
/// the live alert stream <c>/console/api/alerts/stream</c>, and the Pipeline API (<c>GET /v1/pipeline</c>, figures made
/// from the services' own totals: <see cref="PipelineSampler"/>). The page calls the services' REST APIs on the same
/// origin: the all-in-one host serves them itself; the distributed console forwards them (<see cref="ConsoleOptions.Upstreams"/>).
/// </summary>
public static class ConsoleModule
{
    /// <summary>Adds the console to a host built by <see cref="ServiceHost.Build"/> (its routes are mapped with the host's).</summary>
    public static IServiceCollection AddCascadeConsole(this IServiceCollection services, Action<ConsoleOptions>? configure = null, Action<PipelineFiguresOptions>? figures = null)
    {
        var options = services.AddValidatedOptions(ConsoleOptions.SectionName, configure ?? (_ => { }), Problems);
        services.AddValidatedOptions(PipelineFiguresOptions.SectionName, figures ?? (_ => { }), o => FigureProblems(o, options));
        // Read now: a build without its page fails at start, not at the first visit.
        services.AddSingleton(ConsoleAssets.Load());
        services.AddSingleton<MonitoringChannel>();
        // The pipeline's figures, from the services' totals: this process's own in the all-in-one host, each service's
        // /metrics in the distributed deployment. Started with the host, so rates count from the start, not from the first visit.
        services.AddSingleton<MetricsTargets>();
        services.AddSingleton(provider => new PipelineSampler(provider.GetRequiredService<MetricsTargets>().All, provider.GetRequiredService<PipelineFiguresOptions>(), provider.GetRequiredService<ILogger<PipelineSampler>>()));
        services.AddHostedService(provider => provider.GetRequiredService<PipelineSampler>());
        services.AddGrpcService<PipelineGrpcService>();
        if (options.Upstreams.Count > 0)
        {
            services.AddHttpForwarder();
        }
        services.AddHttpEndpoints("console", endpoints => endpoints.MapCascadeConsole());
        return services;
    }

    /// <summary>Maps the page, its endpoints and (distributed) the forwarded APIs. <see cref="AddCascadeConsole"/> arranges for the host to call it.</summary>
    public static IEndpointRouteBuilder MapCascadeConsole(this IEndpointRouteBuilder endpoints)
    {
        ConsoleAssetEndpoints.Map(endpoints);
        WhoAmIEndpoint.Map(endpoints);
        AlertStreamEndpoint.Map(endpoints);
        var options = endpoints.ServiceProvider.GetRequiredService<ConsoleOptions>();
        if (options.Upstreams.Count > 0)
        {
            ApiForwarding.Map(endpoints, options, endpoints.ServiceProvider.GetRequiredService<ServiceHostOptions>());
        }
        return endpoints;
    }

    private static IEnumerable<string> FigureProblems(PipelineFiguresOptions figures, ConsoleOptions console)
    {
        if (figures.RateWindowSeconds < 2 * figures.SampleIntervalSeconds)
        {
            yield return $"{PipelineFiguresOptions.SectionName}:RateWindowSeconds: {figures.RateWindowSeconds} s holds fewer than two reads {figures.SampleIntervalSeconds} s apart (SampleIntervalSeconds); a rate needs two";
        }
        if (figures.MetricsUrls.Count > 0 && console.Upstreams.Count == 0)
        {
            yield return $"{PipelineFiguresOptions.SectionName}:MetricsUrls: a console without Upstreams reads its own process's totals; service URLs are for the distributed console";
        }
        var areas = ServiceRoutes.Services.Select(ServiceRoutes.AreaOf).ToHashSet(StringComparer.Ordinal);
        foreach (var (area, url) in figures.MetricsUrls)
        {
            if (!areas.Contains(area))
            {
                yield return $"{PipelineFiguresOptions.SectionName}:MetricsUrls:{area}: no such service; the areas are {string.Join(", ", areas.Order())}";
            }
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                yield return $"{PipelineFiguresOptions.SectionName}:MetricsUrls:{area}: '{url}' is not an HTTP URL such as http://127.0.0.1:8087/metrics";
            }
        }
    }

    private static IEnumerable<string> Problems(ConsoleOptions options)
    {
        var areas = ServiceRoutes.Services.Select(ServiceRoutes.AreaOf).ToHashSet(StringComparer.Ordinal);
        foreach (var (area, origin) in options.Upstreams)
        {
            if (!areas.Contains(area))
            {
                yield return $"{ConsoleOptions.SectionName}:Upstreams:{area}: no such service; the areas are {string.Join(", ", areas.Order())}";
            }
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/")
            {
                yield return $"{ConsoleOptions.SectionName}:Upstreams:{area}: '{origin}' is not an HTTP origin such as http://127.0.0.1:8084";
            }
        }
        if (options.Upstreams.Count > 0 && string.IsNullOrWhiteSpace(options.MonitoringAddress))
        {
            yield return $"{ConsoleOptions.SectionName}:MonitoringAddress: a console that forwards to services must name Monitoring's gRPC address for its live alert stream";
        }
        if (!string.IsNullOrWhiteSpace(options.MonitoringAddress) && !Uri.TryCreate(options.MonitoringAddress, UriKind.Absolute, out _))
        {
            yield return $"{ConsoleOptions.SectionName}:MonitoringAddress: '{options.MonitoringAddress}' is not an address such as http://127.0.0.1:50058";
        }
    }
}
