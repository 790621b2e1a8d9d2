using System.Globalization;
using Cascade.Ml.Evaluation.Categorical;

namespace Cascade.Ml.Data;

/// <summary>
/// Reads CSV files with a header: every column is a float feature, empty cells are missing (NaN); a categorical
/// column's raw text cells are encoded into its features by the same <see cref="CategoricalColumn"/> Features uses.
/// </summary>
public static class CsvTable
{
    /// <summary>
    /// Reads <paramref name="path"/>. With <paramref name="labelColumn"/>, that column becomes the labels (required
    /// in every row); with <paramref name="featureNames"/>, exactly those columns are read, in that order, and any
    /// other column (but the label) is an error. With <paramref name="categoricals"/>, the features they encode are
    /// computed from each one's raw column (cells trimmed; empty = missing) instead of read.
    /// </summary>
    /// <exception cref="CsvFormatException">A problem, naming the line and column.</exception>
    public static TabularData Read(string path, string? labelColumn = null, IReadOnlyList<string>? featureNames = null, bool ignoreLabelIfPresent = false, IReadOnlyList<CategoricalColumn>? categoricals = null)
    {
        categoricals ??= [];
        if (!File.Exists(path))
        {
            throw new CsvFormatException($"{path}: file not found.");
        }
        using var reader = new StreamReader(path);
        var headerLine = reader.ReadLine() ?? throw new CsvFormatException($"{path}: the file is empty; a header line is required.");
        var header = Split(headerLine).Select(h => h.Trim()).ToArray();
        if (header.Distinct(StringComparer.Ordinal).Count() != header.Length)
        {
            throw new CsvFormatException($"{path}, line 1: duplicate column names in the header.");
        }

        var labelIndex = -1;
        if (labelColumn is not null)
        {
            labelIndex = Array.IndexOf(header, labelColumn);
            if (labelIndex < 0 && !ignoreLabelIfPresent)
            {
                throw new CsvFormatException($"{path}: label column '{labelColumn}' is not in the header ({string.Join(", ", header)}).");
            }
        }

        // Per output feature, the header column it is read from; -1 for a feature a categorical column encodes.
        int[] featureIndices;
        string[] names;
        if (featureNames is null)
        {
            featureIndices = Enumerable.Range(0, header.Length).Where(i => i != labelIndex).ToArray();
            names = featureIndices.Select(i => header[i]).ToArray();
        }
        else
        {
            var encoded = categoricals.SelectMany(c => c.FeatureNames).ToHashSet(StringComparer.Ordinal);
            var needed = featureNames.Where(f => !encoded.Contains(f)).Concat(categoricals.Select(c => c.Column)).Distinct(StringComparer.Ordinal).ToArray();
            var missing = needed.Where(f => !header.Contains(f)).ToArray();
            if (missing.Length > 0)
            {
                var raw = categoricals.Where(c => missing.Contains(c.Column)).Select(c => c.Column).ToArray();
                var hint = raw.Length > 0 ? $" ({string.Join(", ", raw)}: the raw categorical value, which the model encodes itself)" : "";
                throw new CsvFormatException($"{path}: the model needs feature column(s) {string.Join(", ", missing)}, which the header lacks{hint}.");
            }
            var extra = header.Where((h, i) => i != labelIndex && !needed.Contains(h)).ToArray();
            if (extra.Length > 0)
            {
                throw new CsvFormatException($"{path}: column(s) {string.Join(", ", extra)} are not features of the model (it expects {string.Join(", ", needed)}).");
            }
            featureIndices = featureNames.Select(f => encoded.Contains(f) ? -1 : Array.IndexOf(header, f)).ToArray();
            names = featureNames.ToArray();
        }
        var encodings = categoricals.Select(c => new CategoricalCells(c, Array.IndexOf(header, c.Column), c.FeatureNames.Select(n => Array.IndexOf(names, n)).ToArray())).ToArray();
        if (names.Length == 0)
        {
            throw new CsvFormatException($"{path}: no feature columns.");
        }

        var features = new List<float>();
        var labels = labelIndex >= 0 && !ignoreLabelIfPresent ? new List<float>() : null;
        var lineNumber = 1;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }
            var cells = Split(line);
            if (cells.Length != header.Length)
            {
                throw new CsvFormatException($"{path}, line {lineNumber}: {cells.Length} cells, the header has {header.Length} columns.");
            }
            var row = new float[names.Length];
            for (var f = 0; f < row.Length; f++)
            {
                if (featureIndices[f] >= 0) row[f] = ParseCell(cells[featureIndices[f]], path, lineNumber, header[featureIndices[f]]);
            }
            foreach (var encoding in encodings) encoding.Encode(cells, row);
            features.AddRange(row);
            if (labels is not null)
            {
                var label = ParseCell(cells[labelIndex], path, lineNumber, header[labelIndex]);
                if (float.IsNaN(label))
                {
                    throw new CsvFormatException($"{path}, line {lineNumber}, column '{header[labelIndex]}': the label is empty; every row needs one.");
                }
                labels.Add(label);
            }
        }
        var rows = features.Count / names.Length;
        return new TabularData(features.ToArray(), rows, names, labels?.ToArray());
    }

    private static float ParseCell(string cell, string path, int line, string column)
    {
        var text = cell.Trim();
        if (text.Length == 0)
        {
            return float.NaN;
        }
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || float.IsNaN(value))
        {
            throw new CsvFormatException($"{path}, line {line}, column '{column}': '{text}' is not a number (leave the cell empty for a missing value).");
        }
        return value;
    }

    private static string[] Split(string line) => line.Split(',').Select(c => c.Trim().Trim('"')).ToArray();
}

/// <summary>Where one categorical column's raw cells are and which of a row's features they encode into.</summary>
internal sealed class CategoricalCells(CategoricalColumn column, int headerIndex, int[] positions)
{
    private readonly float[] _encoded = new float[column.Width];

    public void Encode(string[] cells, float[] row)
    {
        var text = cells[headerIndex].Trim();
        column.Encode<float>(text.Length == 0 ? null : text, _encoded);
        for (var i = 0; i < positions.Length; i++) row[positions[i]] = _encoded[i];
    }
}

/// <summary>A CSV file cannot be read as a numeric table; the message names the line and column.</summary>
public sealed class CsvFormatException(string message) : Exception(message);
