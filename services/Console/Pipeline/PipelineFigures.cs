using Cascade.Contracts.Pipeline.V1;
using Cascade.WebConsole.Pipeline.Scraping;
using Cascade.WebConsole.Pipeline.Totals;
using Google.Protobuf.WellKnownTypes;

namespace Cascade.WebConsole.Pipeline;

/// <summary>
/// The pipeline's figures from the windows of totals of the services that answered: ingest rate per dataset,
/// predictions per second per model (champion and canary; shadow scores apart, as they answer no one), consumer lag per
/// group and topic, and freshness percentiles per feature view. A service whose last read failed contributes nothing
/// and is left out of <see cref="PipelineStatus.Sources"/>, which is how the page tells its figures are unavailable.
/// </summary>
public static class PipelineFigures
{
    /// <summary>The quantiles freshness is reported at.</summary>
    private const double Median = 0.50, Tail = 0.99;

    public static PipelineStatus Compose(DateTimeOffset now, IEnumerable<(MetricsTarget Target, TotalsWindow Window)> reads)
    {
        var answered = reads.Where(r => r.Window.Available).ToArray();
        var status = new PipelineStatus
        {
            SampledAt = Timestamp.FromDateTimeOffset(now),
            RateWindowSeconds = answered.Length == 0 ? 0 : answered.Max(r => r.Window.Seconds),
            Sources = { answered.SelectMany(r => r.Target.Services()).Distinct().Order(StringComparer.Ordinal) },
        };
        AddIngest(status, answered.Where(r => r.Target.Areas.Contains("ingestion")).Select(r => r.Window).ToArray());
        AddPredictions(status, answered.Where(r => r.Target.Areas.Contains("serving")).Select(r => r.Window).ToArray());
        AddLag(status, answered.Select(r => r.Window).ToArray());
        AddFreshness(status, answered.Where(r => r.Target.Areas.Contains("features")).Select(r => r.Window).ToArray());
        return status;
    }

    private static void AddIngest(PipelineStatus status, TotalsWindow[] windows)
    {
        foreach (var dataset in windows.SelectMany(w => w.Newest.Records.Keys).Select(k => k.Dataset).Distinct().Order(StringComparer.Ordinal))
        {
            double Total(string outcome) => windows.Sum(w => w.Newest.Records.GetValueOrDefault((dataset, outcome)));
            status.Ingest.Add(new DatasetIngest
            {
                Dataset = dataset,
                AcceptedPerSecond = windows.Sum(w => w.Rate(t => t.Records.TryGetValue((dataset, "accepted"), out var v) ? v : null)),
                AcceptedTotal = (long)Total("accepted"),
                RejectedTotal = (long)Total("rejected"),
                DuplicateTotal = (long)Total("duplicate"),
            });
        }
    }

    private static void AddPredictions(PipelineStatus status, TotalsWindow[] windows)
    {
        foreach (var model in windows.SelectMany(w => w.Newest.Predictions.Keys).Select(k => k.Model).Distinct().Order(StringComparer.Ordinal))
        {
            // Answers are every role but shadow: a shadow score is logged, never returned.
            static double? Answers(ServiceTotals totals, string model)
            {
                var rows = totals.Predictions.Where(p => p.Key.Model == model && p.Key.Role != "shadow").ToArray();
                return rows.Length == 0 ? null : rows.Sum(p => p.Value);
            }
            double RateOf(string role) => windows.Sum(w => w.Rate(t => t.Predictions.TryGetValue((model, role), out var v) ? v : null));
            status.Predictions.Add(new ModelPredictions
            {
                Model = model,
                PredictionsPerSecond = windows.Sum(w => w.Rate(t => Answers(t, model))),
                PredictionsTotal = (long)windows.Sum(w => Answers(w.Newest, model) ?? 0),
                CanaryPerSecond = RateOf("canary"),
                ShadowPerSecond = RateOf("shadow"),
            });
        }
    }

    private static void AddLag(PipelineStatus status, TotalsWindow[] windows)
    {
        // A partition is read by one member of its group; while a rebalance moves it, two processes may both report it:
        // the larger figure is the one still to catch up.
        var byPartition = new Dictionary<(string Group, string Topic, string Partition), double>();
        foreach (var (key, lag) in windows.SelectMany(w => w.Newest.Lag))
        {
            byPartition[key] = Math.Max(byPartition.GetValueOrDefault(key), lag);
        }
        foreach (var group in byPartition.GroupBy(p => (p.Key.Group, p.Key.Topic)).OrderBy(g => g.Key.Group, StringComparer.Ordinal).ThenBy(g => g.Key.Topic, StringComparer.Ordinal))
        {
            status.ConsumerLag.Add(new ConsumerLag { Group = group.Key.Group, Topic = group.Key.Topic, Lag = (long)group.Sum(p => p.Value) });
        }
    }

    private static void AddFreshness(PipelineStatus status, TotalsWindow[] windows)
    {
        foreach (var view in windows.SelectMany(w => w.Newest.Freshness.Keys).Distinct().Order(StringComparer.Ordinal))
        {
            var window = windows.First(w => w.Newest.Freshness.ContainsKey(view));
            // The records materialized within the window; on a quiet pipeline, every record since the service started,
            // so the figure says how fresh the features were when they last moved rather than nothing.
            var recent = window.Increase(t => t.Freshness.GetValueOrDefault(view))!;
            var buckets = recent.Total > 0 ? recent : window.Newest.Freshness[view];
            status.Freshness.Add(new FeatureViewFreshness
            {
                FeatureView = view,
                P50Ms = buckets.Quantile(Median),
                P99Ms = buckets.Quantile(Tail),
                Samples = (long)buckets.Total,
            });
        }
    }
}
