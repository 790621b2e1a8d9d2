using System.Text.Json.Serialization;
using Cascade.Contracts.Features.V1;

namespace Cascade.Features.Domain;

/// <summary>
/// What the feature service remembers of one entity: the recent values of every aggregated source column
/// (kept as long as the longest window), the last value of every column, and the last text of every categorical
/// column. Exact aggregates over sliding event-time windows; memory is bounded by the window and the entity's event rate.
/// </summary>
public sealed class EntityState
{
    /// <summary>One observed value at an event time.</summary>
    public readonly record struct TimedValue(long Ticks, double Value);

    /// <summary>Recent (event time ticks, value) per source column, in event-time order.</summary>
    [JsonInclude] public Dictionary<string, List<TimedValue>> History { get; private set; } = new();

    /// <summary>The latest value of every column.</summary>
    [JsonInclude] public Dictionary<string, double> Last { get; private set; } = new();

    /// <summary>
    /// The latest text of every categorical column. Kept as text, not as its code: the encoding belongs to the view
    /// version, and the text is what an unseen value still is.
    /// </summary>
    [JsonInclude] public Dictionary<string, string> LastText { get; private set; } = new();

    /// <summary>Event time of the newest record applied.</summary>
    [JsonInclude] public long LatestTicks { get; private set; }

    /// <summary>
    /// When the feature service last wrote the entity's vector to the online store (UTC ticks of its own clock; 0 in
    /// states checkpointed before this was kept). A rebuild writes the vector with this time, so the view's <c>ttl</c>
    /// keeps counting from the last real update instead of starting again at every restart.
    /// </summary>
    [JsonInclude] public long WrittenTicks { get; private set; }

    /// <summary>Records that the entity's vector was written to the online store at <paramref name="at"/>.</summary>
    public void Written(DateTimeOffset at) => WrittenTicks = at.UtcTicks;

    /// <summary>
    /// Ids of the entity's most recent records, newest last. Kafka without an idempotent producer can store a
    /// record twice (a send retried after the broker stored it, or a batch the producer re-sent); the copy lands in
    /// the same partition a few of the entity's records later, so remembering the last few ids drops it.
    /// </summary>
    [JsonInclude] public List<string> RecentRecordIds { get; private set; } = [];

    /// <summary>How many of an entity's latest record ids are remembered.</summary>
    public const int RememberedRecordIds = 32;

    /// <summary>True when the record was applied already; otherwise remembers it.</summary>
    public bool IsRepeat(string recordId)
    {
        if (string.IsNullOrEmpty(recordId)) return false;
        if (RecentRecordIds.Contains(recordId)) return true;
        if (RecentRecordIds.Count == RememberedRecordIds) RecentRecordIds.RemoveAt(0);
        RecentRecordIds.Add(recordId);
        return false;
    }

    /// <summary>
    /// Applies a record and returns the entity's features as of this record. <paramref name="texts"/> holds the
    /// categorical columns' texts (null = missing); like a missing number, a missing category leaves the last one in place.
    /// </summary>
    public double[] Apply(FeatureViewDefinition view, DateTimeOffset eventTime, IReadOnlyDictionary<string, double> values, IReadOnlyDictionary<string, string?>? texts = null)
    {
        var ticks = eventTime.UtcTicks;
        LatestTicks = Math.Max(LatestTicks, ticks);
        foreach (var (column, text) in texts ?? EmptyTexts)
        {
            if (!string.IsNullOrEmpty(text)) LastText[column] = text;
        }
        foreach (var (column, value) in values)
        {
            if (double.IsNaN(value)) continue; // missing values count nowhere
            Last[column] = value;
            if (!History.TryGetValue(column, out var history))
            {
                History[column] = history = [];
            }
            // Records usually arrive in event-time order; a late one is inserted where it belongs.
            var index = history.Count;
            while (index > 0 && history[index - 1].Ticks > ticks) index--;
            history.Insert(index, new TimedValue(ticks, value));
        }
        var horizon = LatestTicks - view.LongestWindow.Ticks;
        foreach (var history in History.Values)
        {
            var expired = 0;
            while (expired < history.Count && history[expired].Ticks <= horizon) expired++;
            if (expired > 0) history.RemoveRange(0, expired);
        }
        return Compute(view, ticks);
    }

    private static readonly Dictionary<string, string?> EmptyTexts = new();

    /// <summary>The features as of <paramref name="ticks"/>: aggregates over (ticks − window, ticks], then the categorical columns encoded.</summary>
    public double[] Compute(FeatureViewDefinition view, long ticks)
    {
        var result = new double[view.FeatureNames.Count];
        var offset = view.Features.Count;
        foreach (var categorical in view.Categoricals)
        {
            // The same encoder cascade predict uses on CSV cells: an unseen or missing value is NaN in every feature.
            categorical.Encode<double>(LastText.GetValueOrDefault(categorical.Column), result.AsSpan(offset, categorical.Width));
            offset += categorical.Width;
        }
        for (var i = 0; i < view.Features.Count; i++)
        {
            var feature = view.Features[i];
            if (feature.Function is AggregationFunction.Unspecified or AggregationFunction.Last)
            {
                result[i] = Last.TryGetValue(feature.Source, out var last) ? last : double.NaN;
                continue;
            }
            var from = ticks - feature.Window.Ticks;
            long count = 0;
            double sum = 0, min = double.PositiveInfinity, max = double.NegativeInfinity;
            if (History.TryGetValue(feature.Source, out var history))
            {
                foreach (var (t, v) in history)
                {
                    if (t <= from || t > ticks) continue;
                    count++;
                    sum += v;
                    min = Math.Min(min, v);
                    max = Math.Max(max, v);
                }
            }
            result[i] = feature.Function switch
            {
                AggregationFunction.Count => count,
                AggregationFunction.Sum => sum,
                AggregationFunction.Mean => count > 0 ? sum / count : double.NaN,
                AggregationFunction.Min => count > 0 ? min : double.NaN,
                _ => count > 0 ? max : double.NaN,
            };
        }
        return result;
    }
}
