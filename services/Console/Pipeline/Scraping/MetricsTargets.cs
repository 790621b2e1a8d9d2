using Cascade.Hosting;
using Cascade.Hosting.Grpc;
using Cascade.Hosting.Security;
using Cascade.Hosting.Tls;
using Cascade.WebConsole.Forwarding;
using Cascade.WebConsole.Options;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Cascade.WebConsole.Pipeline.Scraping;

/// <summary>
/// Where the console reads the services' totals: in the all-in-one host (no <see cref="ConsoleOptions.Upstreams"/>)
/// one target, the process itself, standing for every area; in the distributed deployment one target per
/// <see cref="PipelineFiguresOptions.MetricsUrls"/> entry, standing for its area only.
/// </summary>
internal sealed class MetricsTargets : IDisposable
{
    /// <summary>The largest scrape the console reads: far above what a service exports, far below what could hurt the console.</summary>
    private const long MaxScrapeBytes = 16 * 1024 * 1024;

    private readonly HttpClient? _client;

    public MetricsTargets(IServiceProvider provider)
    {
        (All, _client) = Create(provider);
    }

    /// <summary>Every target, in area order.</summary>
    public IReadOnlyList<MetricsTarget> All { get; }

    public void Dispose() => _client?.Dispose();

    private static (IReadOnlyList<MetricsTarget>, HttpClient?) Create(IServiceProvider provider)
    {
        var console = provider.GetRequiredService<ConsoleOptions>();
        var figures = provider.GetRequiredService<PipelineFiguresOptions>();
        if (console.Upstreams.Count == 0)
        {
            var areas = ServiceRoutes.Services.Select(ServiceRoutes.AreaOf).ToHashSet(StringComparer.Ordinal);
            var served = new Lazy<IReadOnlyList<string>>(() => GrpcHosting.ServedServices(provider)
                .Where(s => s.StartsWith("cascade.", StringComparison.Ordinal) && s != Contracts.Pipeline.V1.Pipeline.Descriptor.FullName).ToArray());
            return ([new MetricsTarget("this process", areas, () => served.Value, new InProcessMetricsSource(provider.GetRequiredService<EndpointDataSource>(), provider))], null);
        }
        var client = Client(provider.GetRequiredService<ServiceHostOptions>(), provider.GetRequiredService<AuthOptions>());
        var targets = figures.MetricsUrls.OrderBy(u => u.Key, StringComparer.Ordinal).Select(entry =>
        {
            var service = ServiceRoutes.Services.Single(s => ServiceRoutes.AreaOf(s) == entry.Key).FullName;
            var url = new Uri(entry.Value);
            return new MetricsTarget($"{entry.Key} at {url}", new HashSet<string>([entry.Key], StringComparer.Ordinal), () => [service], new HttpMetricsSource(client, url));
        }).ToArray();
        return (targets, client);
    }

    /// <summary>
    /// One client for every service: TLS as this process's settings say (the services' CA, a client certificate where
    /// one is set), this process's service key when it has one, no proxy, no redirects; timeouts are the sampler's.
    /// </summary>
    private static HttpClient Client(ServiceHostOptions host, AuthOptions auth)
    {
        var handler = ClientTls.CreateHandler(host.Tls);
        handler.UseProxy = false;
        handler.AllowAutoRedirect = false;
        handler.UseCookies = false;
        return new HttpClient(ServiceCredentials.WithBearer(handler, auth.ReadServiceKey()))
        {
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = MaxScrapeBytes,
        };
    }
}
