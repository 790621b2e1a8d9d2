using System.Globalization;
using Cascade.Cli.Ingest;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Evaluation.Categorical;

namespace Cascade.Cli.Scoring;

/// <summary>
/// Where a model's features are in an input file's columns, by <c>cascade predict</c>'s rules: every feature by its
/// name, except those a categorical column encodes, which are computed from that column's raw values with the
/// artifact's vocabulary; the label column, if present, is ignored; any other column is an error (a misspelt feature
/// would otherwise be read as missing in every row). Converts one row's cells (CSV text or Parquet values) into a
/// feature row, NaN where a value is missing.
/// </summary>
internal sealed class FeatureColumns
{
    private readonly string _path;
    private readonly IReadOnlyList<string> _header;
    private readonly int[] _sources; // per feature, the column it is read from; -1 where a categorical column encodes it
    private readonly (CategoricalColumn Column, int Source, int[] Positions, float[] Encoded)[] _categorical;

    private FeatureColumns(string path, IReadOnlyList<string> header, int[] sources, (CategoricalColumn, int, int[], float[])[] categorical)
    {
        _path = path;
        _header = header;
        _sources = sources;
        _categorical = categorical;
        Wanted = sources.Where(s => s >= 0).Concat(categorical.Select(c => c.Item2)).Distinct().ToArray();
    }

    /// <summary>The columns a reader must fill.</summary>
    public IReadOnlyCollection<int> Wanted { get; }

    public int FeatureCount => _sources.Length;

    /// <exception cref="ScoringException">A column the model needs is missing, or a column is not one of its features.</exception>
    public static FeatureColumns Map(string path, IReadOnlyList<string> header, ModelManifest manifest)
    {
        var categorical = manifest.Categorical ?? [];
        var encoded = categorical.SelectMany(c => c.FeatureNames).ToHashSet(StringComparer.Ordinal);
        var needed = manifest.FeatureNames.Where(f => !encoded.Contains(f)).Concat(categorical.Select(c => c.Column)).Distinct(StringComparer.Ordinal).ToArray();
        var index = header.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        var missing = needed.Where(f => !index.ContainsKey(f)).ToArray();
        if (missing.Length > 0)
        {
            var raw = categorical.Where(c => missing.Contains(c.Column)).Select(c => c.Column).ToArray();
            var hint = raw.Length > 0 ? $" ({string.Join(", ", raw)}: the raw categorical value, which the model encodes itself)" : "";
            throw new ScoringException($"{path}: the model needs column(s) {string.Join(", ", missing)}, which the file lacks{hint}. Its columns: {string.Join(", ", header)}.");
        }
        var extra = header.Where(h => h != manifest.Label && !needed.Contains(h)).ToArray();
        if (extra.Length > 0)
        {
            throw new ScoringException($"{path}: column(s) {string.Join(", ", extra)} are not features of the model (it expects {string.Join(", ", needed)}{(manifest.Label is { } label ? $", and ignores the label {label}" : "")}).");
        }
        var sources = manifest.FeatureNames.Select(f => encoded.Contains(f) ? -1 : index[f]).ToArray();
        var positions = manifest.FeatureNames.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        var categoricalSources = categorical
            .Select(c => (c, index[c.Column], c.FeatureNames.Select(n => positions[n]).ToArray(), new float[c.Width]))
            .ToArray();
        return new FeatureColumns(path, header, sources, categoricalSources);
    }

    /// <summary>Writes the features of <paramref name="row"/> into <paramref name="features"/> (<see cref="FeatureCount"/> values).</summary>
    /// <exception cref="ScoringException">The reader could not split the row, or a cell is not a number; the message names the row and column.</exception>
    public void Encode(SourceRow row, Span<float> features)
    {
        if (row.Problem is not null)
        {
            throw new ScoringException($"{_path}, row at line {row.Line}: {row.Problem}.");
        }
        for (var f = 0; f < _sources.Length; f++)
        {
            if (_sources[f] >= 0)
            {
                features[f] = Number(row.Cells[_sources[f]], row.Line, _header[_sources[f]]);
            }
        }
        foreach (var (column, source, featurePositions, encoded) in _categorical)
        {
            column.Encode<float>(Category(row.Cells[source]), encoded);
            for (var i = 0; i < featurePositions.Length; i++) features[featurePositions[i]] = encoded[i];
        }
    }

    /// <summary>A feature value: empty or null is missing (NaN); text is read as <c>cascade predict</c> reads it; a Parquet number as float32.</summary>
    private float Number(object? cell, long line, string column)
    {
        switch (cell)
        {
            case null:
                return float.NaN;
            case string text:
                var trimmed = text.Trim();
                if (trimmed.Length == 0) return float.NaN;
                if (float.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && !float.IsNaN(value)) return value;
                throw new ScoringException($"{_path}, {Where(line)}, column '{column}': '{trimmed}' is not a number (leave the cell empty for a missing value).");
            case float f: return f;
            case double d: return (float)d;
            case bool b: return b ? 1f : 0f;
            case decimal m: return (float)m;
            case sbyte or byte or short or ushort or int or uint or long or ulong:
                return Convert.ToSingle(cell, CultureInfo.InvariantCulture);
            default:
                throw new ScoringException($"{_path}, column '{column}': a {cell.GetType().Name} value cannot be a feature; the model reads numbers (or, for a categorical column, text).");
        }
    }

    private static string? Category(object? cell) => cell switch
    {
        null => null,
        string text => text.Trim() is { Length: > 0 } trimmed ? trimmed : null,
        _ => Convert.ToString(cell, CultureInfo.InvariantCulture),
    };

    private string Where(long line) => Path.GetExtension(_path).Equals(".parquet", StringComparison.OrdinalIgnoreCase) ? $"row {line}" : $"line {line}";
}
