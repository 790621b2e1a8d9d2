using Cascade.WebConsole.Pipeline.Prometheus;

namespace Cascade.WebConsole.Pipeline.Totals;

/// <summary>
/// The totals one scrape of a service's <c>/metrics</c> holds that the pipeline's figures are made of, each summed over
/// the labels the figures do not show (a prediction's model version, OpenTelemetry's scope labels): records answered
/// per dataset and outcome, predictions per model and role (counters since the process started), records not yet read
/// per consumer group, topic and partition (a gauge), and the freshness histogram's cumulative buckets per feature view.
/// Only the figures of the areas the scrape stands for are kept (<see cref="From"/>), because a process may export
/// instruments of code it merely hosts.
/// </summary>
public sealed record ServiceTotals(
    IReadOnlyDictionary<(string Dataset, string Outcome), double> Records,
    IReadOnlyDictionary<(string Model, string Role), double> Predictions,
    IReadOnlyDictionary<(string Group, string Topic, string Partition), double> Lag,
    IReadOnlyDictionary<string, BucketCounts> Freshness)
{
    /// <summary>The series the figures read, as OpenTelemetry's exporter names the instruments (unit and <c>_total</c> suffixes added).</summary>
    public const string RecordsSeries = "cascade_ingestion_records_total";

    /// <inheritdoc cref="RecordsSeries"/>
    public const string PredictionsSeries = "cascade_serving_predictions_total";

    /// <inheritdoc cref="RecordsSeries"/>
    public const string LagSeries = "cascade_eventlog_consumer_lag";

    /// <inheritdoc cref="RecordsSeries"/>
    public const string FreshnessBucketSeries = "cascade_features_freshness_milliseconds_bucket";

    /// <summary>No totals at all.</summary>
    public static ServiceTotals Empty { get; } = From([], _ => true);

    /// <summary>
    /// The totals of <paramref name="samples"/> that belong to areas <paramref name="owns"/> accepts: records to
    /// <c>ingestion</c>, predictions to <c>serving</c>, freshness to <c>features</c>; consumer lag to every area (each
    /// process reports the consumers it runs).
    /// </summary>
    public static ServiceTotals From(IEnumerable<MetricSample> samples, Func<string, bool> owns)
    {
        var records = new Dictionary<(string, string), double>();
        var predictions = new Dictionary<(string, string), double>();
        var lag = new Dictionary<(string, string, string), double>();
        var buckets = new Dictionary<string, Dictionary<double, double>>(StringComparer.Ordinal);
        var ingestion = owns("ingestion");
        var serving = owns("serving");
        var features = owns("features");
        foreach (var sample in samples)
        {
            switch (sample.Name)
            {
                case RecordsSeries when ingestion:
                    Add(records, (sample.Label("dataset"), sample.Label("outcome")), sample.Value);
                    break;
                case PredictionsSeries when serving:
                    Add(predictions, (sample.Label("model"), sample.Label("role")), sample.Value);
                    break;
                case LagSeries:
                    Add(lag, (sample.Label("group"), sample.Label("topic"), sample.Label("partition")), sample.Value);
                    break;
                case FreshnessBucketSeries when features:
                    var bound = sample.Label("le") switch
                    {
                        "+Inf" => double.PositiveInfinity,
                        var le => double.TryParse(le, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var b) ? b
                            : throw new FormatException($"{FreshnessBucketSeries} has a bucket bound '{le}' that is no number"),
                    };
                    var view = sample.Label("view");
                    if (!buckets.TryGetValue(view, out var counts)) buckets[view] = counts = [];
                    Add(counts, bound, sample.Value);
                    break;
            }
        }
        return new ServiceTotals(records, predictions, lag, buckets.ToDictionary(b => b.Key, b => new BucketCounts(b.Value), StringComparer.Ordinal));
    }

    private static void Add<TKey>(Dictionary<TKey, double> totals, TKey key, double value)
        where TKey : notnull => totals[key] = totals.GetValueOrDefault(key) + value;
}
