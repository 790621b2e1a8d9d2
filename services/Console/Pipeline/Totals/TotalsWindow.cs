namespace Cascade.WebConsole.Pipeline.Totals;

/// <summary>
/// The recent scrapes of one service, oldest first, from which its rates are read: increases of its totals between the
/// oldest scrape of the window and the newest, over the time between them. It keeps the newest scrape that is at least
/// <see cref="Span"/> old, so rates cover the whole span once the window is full (and less right after start, which
/// <see cref="Seconds"/> says). Totals only grow within one process: a total that went down means another process
/// answered (a restart, or another replica behind the same address), so the window starts again from that scrape
/// rather than count the new process's totals as an increase. A failed scrape empties the window: the service is
/// unavailable until it answers again, and its rates count from then. Not thread-safe: the sampler serialises use.
/// </summary>
public sealed class TotalsWindow(TimeSpan span)
{
    private readonly List<(DateTimeOffset At, ServiceTotals Totals)> _scrapes = [];

    /// <summary>The span rates are measured over once the window is full.</summary>
    public TimeSpan Span { get; } = span;

    /// <summary>Why the last scrape failed; null when it succeeded (or none was tried yet).</summary>
    public string? Failure { get; private set; }

    /// <summary>Whether the service answered its last scrape, so its figures can be shown.</summary>
    public bool Available => Failure is null && _scrapes.Count > 0;

    /// <summary>The newest totals (empty before the first scrape).</summary>
    public ServiceTotals Newest => _scrapes.Count > 0 ? _scrapes[^1].Totals : ServiceTotals.Empty;

    /// <summary>Seconds between the oldest and the newest scrape: what the window's rates are measured over.</summary>
    public double Seconds => _scrapes.Count > 1 ? (_scrapes[^1].At - _scrapes[0].At).TotalSeconds : 0;

    /// <summary>Adds a scrape read at <paramref name="at"/>.</summary>
    public void Add(DateTimeOffset at, ServiceTotals totals)
    {
        if (_scrapes.Count > 0 && (at < _scrapes[^1].At || WentDown(_scrapes[^1].Totals, totals))) _scrapes.Clear();
        _scrapes.Add((at, totals));
        Failure = null;
        while (_scrapes.Count > 1 && at - _scrapes[1].At >= Span) _scrapes.RemoveAt(0);
    }

    /// <summary>Records that the service could not be read (unreachable, refused, or its text broken).</summary>
    public void Fail(string reason)
    {
        _scrapes.Clear();
        Failure = reason;
    }

    /// <summary>
    /// Per second, how much the total <paramref name="read"/> picks grew over the window: from the first scrape that has
    /// it (a series that appears within the window counts from its first appearance, as PromQL's <c>rate</c> does) to the
    /// newest. 0 when fewer than two scrapes have it.
    /// </summary>
    public double Rate(Func<ServiceTotals, double?> read)
    {
        if (_scrapes.Count < 2 || read(_scrapes[^1].Totals) is not { } newest) return 0;
        foreach (var (at, totals) in _scrapes)
        {
            if (read(totals) is not { } first) continue;
            var seconds = (_scrapes[^1].At - at).TotalSeconds;
            return seconds > 0 ? Math.Max(0, newest - first) / seconds : 0;
        }
        return 0;
    }

    /// <summary>The histogram <paramref name="read"/> picks, counting only the observations made within the window (null when the newest scrape lacks it).</summary>
    public BucketCounts? Increase(Func<ServiceTotals, BucketCounts?> read)
    {
        if (_scrapes.Count == 0 || read(_scrapes[^1].Totals) is not { } newest) return null;
        var first = _scrapes.Select(s => read(s.Totals)).First(b => b is not null)!;
        return newest.Since(first);
    }

    private static bool WentDown(ServiceTotals before, ServiceTotals after) =>
        Lower(before.Records, after.Records) || Lower(before.Predictions, after.Predictions)
        || before.Freshness.Any(view => after.Freshness.TryGetValue(view.Key, out var now) && now.Total < view.Value.Total);

    private static bool Lower<TKey>(IReadOnlyDictionary<TKey, double> before, IReadOnlyDictionary<TKey, double> after) =>
        before.Any(total => after.TryGetValue(total.Key, out var now) && now < total.Value);
}
