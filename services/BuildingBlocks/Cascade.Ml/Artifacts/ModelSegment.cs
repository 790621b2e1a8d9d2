using System.Globalization;
using System.Text.Json.Serialization;

namespace Cascade.Ml.Artifacts;

/// <summary>
/// A version's segment column, resolved when it was trained: the column, whether its groups are its values
/// (<see cref="Categorical"/>) or bins of a number (<see cref="Numeric"/>, with the inner edges, a bin count already
/// turned into the training rows' quantiles), and how many groups are watched apart. Serving names each prediction's
/// group with <see cref="LabelOf(double)"/> or the value itself; Monitoring watches the groups by those names.
/// </summary>
public sealed record ModelSegment
{
    /// <summary>Groups are the column's values (a STRING or BOOL column).</summary>
    public const string Categorical = "categorical";

    /// <summary>Groups are bins of the column's numbers (a FLOAT64 or INT64 column).</summary>
    public const string Numeric = "numeric";

    /// <summary>The group of a missing or non-finite number, and of a categorical input whose value is missing or unseen.</summary>
    public const string Missing = "(missing)";

    /// <summary>What a sensitive column's group label starts with: the keyed hash of the label follows.</summary>
    public const string HashPrefix = "hash:";

    /// <summary>Groups watched apart when the policy gives no <see cref="MaxSegments"/>.</summary>
    public const int DefaultMaxSegments = 10;

    /// <summary>The longest group label a request may give (longer labels are refused, not cut).</summary>
    public const int MaxLabelLength = 256;

    private IReadOnlyList<string>? binNames;

    /// <summary>The dataset column.</summary>
    [JsonPropertyName("column")] public required string Column { get; init; }

    /// <summary><see cref="Categorical"/> or <see cref="Numeric"/>.</summary>
    [JsonPropertyName("kind")] public required string Kind { get; init; }

    /// <summary>A numeric column's inner bin edges, strictly increasing (empty: one bin, a column constant in training); empty for a categorical one.</summary>
    [JsonPropertyName("bins")] public IReadOnlyList<double> Bins { get; init; } = [];

    /// <summary>Groups watched apart at most: beyond them a categorical column's other values share <c>other</c>.</summary>
    [JsonPropertyName("max_segments")] public int MaxSegments { get; init; } = DefaultMaxSegments;

    /// <summary>Whether the groups are bins of a number.</summary>
    [JsonIgnore] public bool IsNumeric => Kind == Numeric;

    /// <summary>A numeric column's group names, in bin order, <see cref="Missing"/> last.</summary>
    [JsonIgnore] public IReadOnlyList<string> BinNames => binNames ??= NamesOf(Bins);

    /// <summary>The group of a number: its bin's name, or <see cref="Missing"/> for NaN or an infinite value.</summary>
    public string LabelOf(double value) => BinNames[BinOf(value, Bins)];

    /// <summary>The index, in <see cref="NamesOf"/>, of the bin of <paramref name="value"/>: the last for a value that is not finite.</summary>
    public static int BinOf(double value, IReadOnlyList<double> edges)
    {
        if (!double.IsFinite(value)) return edges.Count + 1;
        var bin = 0;
        while (bin < edges.Count && value >= edges[bin]) bin++;
        return bin;
    }

    /// <summary>The names of the bins that <paramref name="edges"/> make: "&lt; a", "[a, b)", …, "≥ z", then <see cref="Missing"/>.</summary>
    public static IReadOnlyList<string> NamesOf(IReadOnlyList<double> edges)
    {
        var names = new string[edges.Count + 2];
        names[^1] = Missing;
        if (edges.Count == 0)
        {
            names[0] = "all"; // a column constant in training: one bin
            return names;
        }
        for (var i = 0; i <= edges.Count; i++)
        {
            names[i] = i == 0 ? $"< {Format(edges[0])}"
                : i == edges.Count ? $"≥ {Format(edges[^1])}"
                : $"[{Format(edges[i - 1])}, {Format(edges[i])})";
        }
        return names;
    }

    /// <summary>
    /// What is wrong with this definition, or null: an empty column, an unknown kind, bins that are not finite and
    /// strictly increasing or make more groups than <see cref="MaxSegments"/> (with missing) + other.
    /// </summary>
    public string? Problem()
    {
        if (string.IsNullOrWhiteSpace(Column)) return "the segment column is empty";
        if (Kind is not (Categorical or Numeric)) return $"segment kind '{Kind}' is neither '{Categorical}' nor '{Numeric}'";
        if (MaxSegments is < 2 or > 100) return $"max_segments is {MaxSegments}; give 2 to 100";
        if (!IsNumeric) return Bins.Count == 0 ? null : $"bins apply to a numeric column; '{Column}' is categorical";
        for (var i = 0; i < Bins.Count; i++)
        {
            if (!double.IsFinite(Bins[i]) || (i > 0 && Bins[i] <= Bins[i - 1])) return "bins must be finite and strictly increasing";
        }
        return Bins.Count + 2 > MaxSegments + 1 ? $"{Bins.Count} bins make {Bins.Count + 2} groups (with missing), more than max_segments ({MaxSegments}) + other" : null;
    }

    private static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
