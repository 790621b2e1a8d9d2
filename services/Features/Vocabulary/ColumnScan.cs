using Cascade.Contracts.Common.V1;
using Cascade.Features.Domain;

namespace Cascade.Features.Vocabulary;

/// <summary>What a scan of the data found in the categorical columns: value counts, and any value of a type a category cannot have.</summary>
public sealed class ColumnScan
{
    private readonly Dictionary<string, ValueCounts> _counts;

    public ColumnScan(IEnumerable<string> columns) => _counts = columns.ToDictionary(c => c, _ => new ValueCounts(), StringComparer.Ordinal);

    /// <summary>Records read.</summary>
    public long Records { get; private set; }

    /// <summary>Records that could not be parsed (the materializer dead-letters them); not counted.</summary>
    public long Unreadable { get; private set; }

    /// <summary>Whether the scan stopped at its record limit before the end of the topic.</summary>
    public bool Truncated { get; set; }

    /// <summary>The first value of a non-categorical type (FLOAT64) found in a categorical column, per column.</summary>
    public Dictionary<string, (Value.KindOneofCase Kind, string Where)> WrongTypes { get; } = new(StringComparer.Ordinal);

    /// <summary>The counts of one column's values.</summary>
    public ValueCounts Counts(string column) => _counts[column];

    public void Add(IReadOnlyDictionary<string, Value> values, string where)
    {
        Records++;
        foreach (var (column, counts) in _counts)
        {
            if (!values.TryGetValue(column, out var value)) continue;
            if (!CategoricalText.IsCategorical(value.KindCase))
            {
                WrongTypes.TryAdd(column, (value.KindCase, where));
                continue;
            }
            if (CategoricalText.Of(value) is { } text) counts.Add(text);
        }
    }

    public void AddUnreadable() => Unreadable++;
}
