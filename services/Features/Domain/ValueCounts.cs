namespace Cascade.Features.Domain;

/// <summary>How often each value of one column occurs; the source of a <c>top_k</c> vocabulary.</summary>
public sealed class ValueCounts
{
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

    /// <summary>Records that had a value in the column.</summary>
    public long Present { get; private set; }

    /// <summary>Distinct values seen.</summary>
    public int Distinct => _counts.Count;

    public void Add(string value)
    {
        _counts[value] = _counts.GetValueOrDefault(value) + 1;
        Present++;
    }

    /// <summary>
    /// The <paramref name="k"/> most frequent values, most frequent first; equal counts in ordinal (byte-wise) order of
    /// the text, so the same data always gives the same vocabulary whatever order it was read in.
    /// </summary>
    public IReadOnlyList<string> Top(int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        return _counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Take(k).Select(c => c.Key).ToArray();
    }
}
