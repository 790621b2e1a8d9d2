namespace Cascade.WebConsole.Pipeline.Scraping;

/// <summary>Where one service's totals are read from: the Prometheus text its <c>/metrics</c> serves.</summary>
public interface IMetricsSource
{
    /// <summary>Reads the text once.</summary>
    /// <exception cref="HttpRequestException">The service did not answer, or answered with an error status.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired (the scrape's timeout or the host stopping).</exception>
    Task<string> ReadAsync(CancellationToken cancellationToken);
}
