using System.Globalization;
using System.Text;

namespace Cascade.WebConsole.Pipeline.Prometheus;

/// <summary>
/// A strict reader of Prometheus' text exposition format (version 0.0.4, what OpenTelemetry's exporter writes at
/// <c>/metrics</c> unless OpenMetrics is asked for): <c># HELP</c> and <c># TYPE</c> lines, other comments, and sample
/// lines <c>name{label="value",…} value [timestamp]</c>. Strict because a half-read scrape would show wrong figures as
/// right: anything outside the grammar (a bad name, an unknown escape, an unterminated label value, a value that is no
/// number, a series written twice, a TYPE given twice or after its samples) is a <see cref="FormatException"/> naming
/// the line, and the console reports the service's figures as unavailable rather than guessing. No parser of this format
/// is served from our NuGet copy (prometheus-net only writes it), hence this one.
/// </summary>
public static class PrometheusTextParser
{
    private static readonly HashSet<string> Types = new(StringComparer.Ordinal) { "counter", "gauge", "histogram", "summary", "untyped" };

    /// <summary>Every sample of <paramref name="text"/>, in the order written.</summary>
    /// <exception cref="FormatException">The text breaks the format; the message names the line and what is wrong.</exception>
    public static IReadOnlyList<MetricSample> Parse(string text)
    {
        var samples = new List<MetricSample>();
        var typed = new HashSet<string>(StringComparer.Ordinal);
        var sampled = new HashSet<string>(StringComparer.Ordinal);
        var series = new HashSet<string>(StringComparer.Ordinal);
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0) continue;
            try
            {
                if (line.TrimStart(' ', '\t').StartsWith('#'))
                {
                    ReadComment(line, typed, sampled);
                    continue;
                }
                var sample = ReadSample(line);
                var key = SeriesKey(sample);
                if (!series.Add(key)) throw new FormatException($"the series {key} is written twice");
                sampled.Add(sample.Name);
                samples.Add(sample);
            }
            catch (FormatException ex)
            {
                throw new FormatException($"line {number}: {ex.Message}: {Shorten(line)}", ex);
            }
        }
        return samples;
    }

    private static void ReadComment(string line, HashSet<string> typed, HashSet<string> sampled)
    {
        var tokens = line.TrimStart(' ', '\t')[1..].TrimStart(' ', '\t').Split([' ', '\t'], 3, StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length == 0 || tokens[0] is not ("HELP" or "TYPE")) return; // a plain comment
        if (tokens.Length < 2 || !IsMetricName(tokens[1])) throw new FormatException($"# {tokens[0]} names no valid metric");
        if (tokens[0] == "HELP") return; // the docstring may hold anything
        var type = tokens.Length == 3 ? tokens[2].Trim(' ', '\t') : string.Empty;
        if (!Types.Contains(type)) throw new FormatException($"'{type}' is not a metric type (counter, gauge, histogram, summary, untyped)");
        if (!typed.Add(tokens[1])) throw new FormatException($"{tokens[1]} has a second TYPE line");
        var family = tokens[1];
        string[] suffixes = type is "histogram" or "summary" ? ["", "_bucket", "_sum", "_count"] : [""];
        if (suffixes.Any(s => sampled.Contains(family + s))) throw new FormatException($"the TYPE of {family} comes after its samples");
    }

    private static MetricSample ReadSample(string line)
    {
        var position = 0;
        SkipBlanks(line, ref position);
        var start = position;
        while (position < line.Length && IsNameChar(line[position], position == start, colonAllowed: true)) position++;
        var name = line[start..position];
        if (!IsMetricName(name)) throw new FormatException("no valid metric name");
        var labels = new List<KeyValuePair<string, string>>();
        SkipBlanks(line, ref position);
        if (position < line.Length && line[position] == '{')
        {
            position++;
            ReadLabels(line, ref position, labels);
        }
        var rest = line[position..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (rest.Length is 0 or > 2) throw new FormatException(rest.Length == 0 ? "no value" : "more than a value and a timestamp");
        var value = ParseValue(rest[0]);
        if (rest.Length == 2 && !long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            throw new FormatException($"'{rest[1]}' is not a timestamp (milliseconds since the epoch)");
        }
        return new MetricSample(name, labels, value);
    }

    private static void ReadLabels(string line, ref int position, List<KeyValuePair<string, string>> labels)
    {
        while (true)
        {
            SkipBlanks(line, ref position);
            if (position < line.Length && line[position] == '}')
            {
                position++;
                return;
            }
            var start = position;
            while (position < line.Length && IsNameChar(line[position], position == start, colonAllowed: false)) position++;
            var name = line[start..position];
            if (name.Length == 0) throw new FormatException("a label has no valid name");
            if (labels.Any(l => l.Key == name)) throw new FormatException($"label {name} is given twice");
            SkipBlanks(line, ref position);
            if (position >= line.Length || line[position] != '=') throw new FormatException($"label {name} has no '='");
            position++;
            SkipBlanks(line, ref position);
            if (position >= line.Length || line[position] != '"') throw new FormatException($"the value of label {name} is not quoted");
            position++;
            labels.Add(new(name, ReadQuoted(line, ref position, name)));
            SkipBlanks(line, ref position);
            if (position < line.Length && line[position] == ',')
            {
                position++;
                continue;
            }
            if (position < line.Length && line[position] == '}')
            {
                position++;
                return;
            }
            throw new FormatException("the labels are not closed with '}'");
        }
    }

    private static string ReadQuoted(string line, ref int position, string label)
    {
        var value = new StringBuilder();
        while (position < line.Length)
        {
            var c = line[position++];
            if (c == '"') return value.ToString();
            if (c != '\\')
            {
                value.Append(c);
                continue;
            }
            if (position >= line.Length) break;
            value.Append(line[position++] switch
            {
                '\\' => '\\',
                '"' => '"',
                'n' => '\n',
                var other => throw new FormatException($"the value of label {label} has an unknown escape '\\{other}'"),
            });
        }
        throw new FormatException($"the value of label {label} is not closed");
    }

    /// <summary>A value as Go's ParseFloat reads it, which the format refers to: decimals, exponents, ±Inf and NaN.</summary>
    private static double ParseValue(string token) => token switch
    {
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ when token.Length > 0 && (char.IsAsciiDigit(token[0]) || token[0] is '-' or '+' or '.')
            && double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) => value,
        _ => throw new FormatException($"'{token}' is not a sample value"),
    };

    private static bool IsMetricName(string name) =>
        name.Length > 0 && name.Select((c, i) => IsNameChar(c, i == 0, colonAllowed: true)).All(ok => ok);

    private static bool IsNameChar(char c, bool first, bool colonAllowed) =>
        char.IsAsciiLetter(c) || c == '_' || (colonAllowed && c == ':') || (!first && char.IsAsciiDigit(c));

    private static void SkipBlanks(string line, ref int position)
    {
        while (position < line.Length && line[position] is ' ' or '\t') position++;
    }

    private static string SeriesKey(MetricSample sample) =>
        sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}=\"{l.Value.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"")) + "}";

    private static string Shorten(string line) => line.Length <= 120 ? line : line[..120] + "…";
}
