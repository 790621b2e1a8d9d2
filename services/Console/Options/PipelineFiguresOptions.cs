using System.ComponentModel.DataAnnotations;

namespace Cascade.WebConsole.Options;

/// <summary>How the console reads the pipeline's figures from the services' totals (<c>Cascade:Console:Pipeline</c>).</summary>
public sealed class PipelineFiguresOptions
{
    /// <summary>Configuration section name: <c>Cascade__Console__Pipeline__MetricsUrls__serving</c> ….</summary>
    public const string SectionName = "Cascade:Console:Pipeline";

    /// <summary>
    /// The distributed console only: the URL of each service's Prometheus text (its <c>/metrics</c>), by area
    /// (<c>ingestion</c>, <c>features</c>, <c>registry</c>, <c>training</c>, <c>serving</c>, <c>monitoring</c>). A service
    /// not named here, or not answering, has its figures shown as unavailable; the others' are unaffected.
    /// </summary>
    /// <value>The default value is empty: the all-in-one host reads its own process's totals, without the network.</value>
    public Dictionary<string, string> MetricsUrls { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Seconds between two reads of every service's totals.</summary>
    /// <value>The default value is 5 seconds.</value>
    [Range(1, 300)]
    public int SampleIntervalSeconds { get; set; } = 5;

    /// <summary>Seconds rates are measured over (a sliding window of reads); at least two intervals.</summary>
    /// <value>The default value is 60 seconds.</value>
    [Range(2, 3600)]
    public int RateWindowSeconds { get; set; } = 60;

    /// <summary>Seconds one read of a service may take before that service counts as unavailable.</summary>
    /// <value>The default value is 3 seconds.</value>
    [Range(1, 60)]
    public int ScrapeTimeoutSeconds { get; set; } = 3;
}
