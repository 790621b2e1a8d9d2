using System.Globalization;

namespace Cascade.Ml.Data;

/// <summary>Reads numeric CSV files with a header: every column is a float feature, empty cells are missing (NaN).</summary>
public static class CsvTable
{
    /// <summary>
    /// Reads <paramref name="path"/>. With <paramref name="labelColumn"/>, that column becomes the labels (required
    /// in every row); with <paramref name="featureNames"/>, exactly those columns are read, in that order, and any
    /// other column (but the label) is an error.
    /// </summary>
    /// <exception cref="CsvFormatException">A problem, naming the line and column.</exception>
    public static TabularData Read(string path, string? labelColumn = null, IReadOnlyList<string>? featureNames = null, bool ignoreLabelIfPresent = false)
    {
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

        int[] featureIndices;
        string[] names;
        if (featureNames is null)
        {
            featureIndices = Enumerable.Range(0, header.Length).Where(i => i != labelIndex).ToArray();
            names = featureIndices.Select(i => header[i]).ToArray();
        }
        else
        {
            var missing = featureNames.Where(f => !header.Contains(f)).ToArray();
            if (missing.Length > 0)
            {
                throw new CsvFormatException($"{path}: the model needs feature column(s) {string.Join(", ", missing)}, which the header lacks.");
            }
            var extra = header.Where((h, i) => i != labelIndex && !featureNames.Contains(h)).ToArray();
            if (extra.Length > 0)
            {
                throw new CsvFormatException($"{path}: column(s) {string.Join(", ", extra)} are not features of the model (it expects {string.Join(", ", featureNames)}).");
            }
            featureIndices = featureNames.Select(f => Array.IndexOf(header, f)).ToArray();
            names = featureNames.ToArray();
        }
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
            foreach (var index in featureIndices)
            {
                features.Add(ParseCell(cells[index], path, lineNumber, header[index]));
            }
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

/// <summary>A CSV file cannot be read as a numeric table; the message names the line and column.</summary>
public sealed class CsvFormatException(string message) : Exception(message);
