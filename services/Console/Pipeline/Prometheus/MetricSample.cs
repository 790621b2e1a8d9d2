namespace Cascade.WebConsole.Pipeline.Prometheus;

/// <summary>One line of Prometheus' text format: a series (name and labels) and its value at the time of the scrape.</summary>
/// <param name="Name">The sample's name as written (<c>cascade_ingestion_records_total</c>, <c>…_bucket</c>).</param>
/// <param name="Labels">Its labels in the order written, values unescaped.</param>
/// <param name="Value">Its value (<c>+Inf</c>, <c>-Inf</c> and <c>NaN</c> included).</param>
public sealed record MetricSample(string Name, IReadOnlyList<KeyValuePair<string, string>> Labels, double Value)
{
    /// <summary>The value of label <paramref name="name"/>, or the empty string when the series has none (as PromQL reads a missing label).</summary>
    public string Label(string name)
    {
        foreach (var label in Labels)
        {
            if (label.Key == name) return label.Value;
        }
        return string.Empty;
    }
}
