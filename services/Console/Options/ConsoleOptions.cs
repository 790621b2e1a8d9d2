using System.ComponentModel.DataAnnotations;

namespace Cascade.WebConsole.Options;

/// <summary>The web console's settings (<c>Cascade:Console</c>).</summary>
public sealed class ConsoleOptions
{
    /// <summary>Configuration section name: <c>Cascade__Console__AlertReplay</c> ….</summary>
    public const string SectionName = "Cascade:Console";

    /// <summary>gRPC address of the Monitoring service the live alert stream reads (<c>WatchAlerts</c>).</summary>
    /// <value>The default value is empty: this process's own gRPC endpoint (the all-in-one host serves Monitoring itself).</value>
    public string MonitoringAddress { get; set; } = string.Empty;

    /// <summary>Recent alerts the live stream replays when a page connects, before new ones: its snapshot.</summary>
    /// <value>The default value is 100.</value>
    [Range(0, 1000)]
    public int AlertReplay { get; set; } = 100;

    /// <summary>Seconds between keep-alive comments on the live stream, so proxies keep it open and the page sees it is alive.</summary>
    /// <value>The default value is 15 seconds.</value>
    [Range(1, 300)]
    public int KeepAliveSeconds { get; set; } = 15;

    /// <summary>
    /// The distributed console only: HTTP origin of each service the page's API calls go to, by area
    /// (<c>ingestion</c>, <c>features</c>, <c>registry</c>, <c>training</c>, <c>serving</c>, <c>monitoring</c>).
    /// </summary>
    /// <value>The default value is empty: the process serves the APIs itself (the all-in-one host).</value>
    public Dictionary<string, string> Upstreams { get; set; } = new(StringComparer.Ordinal);
}
