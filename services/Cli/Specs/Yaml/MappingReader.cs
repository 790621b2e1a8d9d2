using System.Globalization;
using Cascade.Cli.Specs.Model;
using YamlDotNet.RepresentationModel;

namespace Cascade.Cli.Specs.Yaml;

/// <summary>
/// Reads the fields of one YAML mapping into typed values, reporting each problem with its line and column: a field
/// the mapping may not have (with the nearest known name), a missing required field, a value of the wrong type.
/// A value with a problem reads as its default, so reading goes on and every error is found in one pass.
/// </summary>
internal sealed class MappingReader
{
    private readonly Dictionary<string, YamlNode> _values = new(StringComparer.Ordinal);
    private readonly YamlMappingNode _node;
    private readonly string _path;
    private readonly SpecReadContext _context;

    private MappingReader(YamlMappingNode node, string path, SpecReadContext context)
    {
        _node = node;
        _path = path;
        _context = context;
    }

    /// <summary>
    /// Opens <paramref name="node"/> as a mapping whose keys must be among <paramref name="fields"/>; null (and an
    /// error) when it is no mapping. <paramref name="path"/> names it in messages (<c>spec.columns[2]</c>); empty for a document.
    /// </summary>
    public static MappingReader? Open(YamlNode node, string path, IReadOnlyList<string> fields, SpecReadContext context)
    {
        var display = path.Length == 0 ? "a document" : path;
        if (node is not YamlMappingNode mapping)
        {
            context.Error(node, $"{display} must be a mapping (key: value lines); got {Describe(node)}.");
            return null;
        }
        var reader = new MappingReader(mapping, path, context);
        foreach (var (key, value) in mapping.Children)
        {
            if (key is not YamlScalarNode { Value: { } name })
            {
                context.Error(key, $"{display} has a key that is not a plain name.");
            }
            else if (!fields.Contains(name))
            {
                var nearest = fields.MinBy(f => Distance(f, name));
                var hint = nearest is not null && Distance(nearest, name) <= 2 ? $" (did you mean '{nearest}'?)" : "";
                context.Error(key, $"unknown field '{name}' in {display}{hint}; {display} may have: {string.Join(", ", fields)}.");
            }
            else
            {
                reader._values[name] = value;
            }
        }
        return reader;
    }

    public YamlMappingNode Node => _node;

    /// <summary>The field's node, or null when it is absent or null (<c>key:</c> or <c>key: ~</c>).</summary>
    public YamlNode? Find(string field) =>
        _values.TryGetValue(field, out var node) && !(node is YamlScalarNode scalar && YamlScalars.TypeOf(scalar) == ScalarType.Null) ? node : null;

    public string? String(string field, bool required = false, string? hint = null)
    {
        var scalar = Scalar(field, required, hint);
        if (scalar is null) return null;
        if (YamlScalars.TypeOf(scalar) != ScalarType.String)
        {
            _context.Error(scalar, $"{Path(field)} must be a string; got {YamlScalars.Describe(YamlScalars.TypeOf(scalar))} ({scalar.Value}): quote it.");
            return null;
        }
        if (required && string.IsNullOrWhiteSpace(scalar.Value))
        {
            _context.Error(scalar, $"{Path(field)} must not be empty{Hint(hint)}.");
            return null;
        }
        return scalar.Value;
    }

    public bool Bool(string field)
    {
        var scalar = Scalar(field, required: false, hint: null);
        if (scalar is null) return false;
        if (YamlScalars.TypeOf(scalar) != ScalarType.Bool)
        {
            _context.Error(scalar, $"{Path(field)} must be true or false; got {YamlScalars.Describe(YamlScalars.TypeOf(scalar))} ({scalar.Value}).");
            return false;
        }
        return YamlScalars.ToBool(scalar.Value!);
    }

    /// <summary>A count: a whole number from 0 to <paramref name="max"/>.</summary>
    public long Count(string field, long max = long.MaxValue)
    {
        var scalar = Scalar(field, required: false, hint: null);
        if (scalar is null) return 0;
        if (YamlScalars.TypeOf(scalar) != ScalarType.Integer || !long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < 0 || value > max)
        {
            _context.Error(scalar, $"{Path(field)} must be a whole number from 0 to {max:N0}; got {Got(scalar)}.");
            return 0;
        }
        return value;
    }

    public int Int(string field) => (int)Count(field, int.MaxValue);

    /// <summary>A finite number (an integer is a number too).</summary>
    public double Number(string field)
    {
        var scalar = Scalar(field, required: false, hint: null);
        if (scalar is null) return 0;
        var type = YamlScalars.TypeOf(scalar);
        if (type is not (ScalarType.Integer or ScalarType.Float) || !double.IsFinite(YamlScalars.ToDouble(scalar.Value!)))
        {
            _context.Error(scalar, $"{Path(field)} must be a finite number; got {Got(scalar)}.");
            return 0;
        }
        return YamlScalars.ToDouble(scalar.Value!);
    }

    public TimeSpan Duration(string field)
    {
        var scalar = Scalar(field, required: false, hint: null);
        if (scalar is null) return TimeSpan.Zero;
        if (YamlScalars.TypeOf(scalar) != ScalarType.String || !SpecDurations.TryParse(scalar.Value!, out var duration))
        {
            _context.Error(scalar, $"{Path(field)} must be {SpecDurations.Expected}; got '{scalar.Value}'.");
            return TimeSpan.Zero;
        }
        return duration;
    }

    /// <summary>One of the enum's spec spellings (<see cref="SpecNames"/>); null when absent or wrong.</summary>
    public T? Choice<T>(string field, bool required = false) where T : struct, Enum
    {
        var scalar = Scalar(field, required, hint: $"one of {string.Join(", ", SpecNames.All<T>())}");
        if (scalar is null) return null;
        if (YamlScalars.TypeOf(scalar) != ScalarType.String || !SpecNames.TryParse<T>(scalar.Value!, out var value))
        {
            _context.Error(scalar, $"{Path(field)} must be one of {string.Join(", ", SpecNames.All<T>())}; got '{scalar.Value}'.");
            return null;
        }
        return value;
    }

    /// <summary>A sequence whose items <paramref name="read"/> turns into values (null items, already reported, are left out).</summary>
    public IReadOnlyList<T> List<T>(string field, Func<YamlNode, string, T?> read, bool required = false)
    {
        var node = Require(field, required, hint: null);
        if (node is null) return [];
        if (node is not YamlSequenceNode sequence)
        {
            _context.Error(node, $"{Path(field)} must be a list (lines starting with '- '); got {Describe(node)}.");
            return [];
        }
        var items = new List<T>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (read(sequence.Children[i], $"{Path(field)}[{i}]") is { } item) items.Add(item);
        }
        if (required && sequence.Children.Count == 0) _context.Error(node, $"{Path(field)} must not be empty.");
        return items;
    }

    /// <summary>A list of finite numbers (integers are numbers too).</summary>
    public IReadOnlyList<double> Numbers(string field) => List<double?>(field, (node, path) =>
    {
        if (node is YamlScalarNode scalar && YamlScalars.TypeOf(scalar) is ScalarType.Integer or ScalarType.Float && double.IsFinite(YamlScalars.ToDouble(scalar.Value!)))
        {
            return YamlScalars.ToDouble(scalar.Value!);
        }
        _context.Error(node, $"{path} must be a finite number; got {Describe(node)}.");
        return null;
    }).Select(n => n!.Value).ToArray();

    /// <summary>A list of strings.</summary>
    public IReadOnlyList<string> Strings(string field) => List(field, (node, path) =>
    {
        if (node is YamlScalarNode scalar && YamlScalars.TypeOf(scalar) == ScalarType.String && !string.IsNullOrWhiteSpace(scalar.Value)) return scalar.Value;
        _context.Error(node, $"{path} must be a non-empty string; got {Describe(node)}.");
        return null;
    });

    /// <summary>
    /// Category values: strings as written, integers in canonical decimal (<c>007</c> is "7") and booleans as
    /// <c>true</c> / <c>false</c>: the text an INT64 or BOOL value has in the data.
    /// </summary>
    public IReadOnlyList<string> CategoryValues(string field) => List(field, (node, path) =>
    {
        if (node is YamlScalarNode scalar)
        {
            switch (YamlScalars.TypeOf(scalar))
            {
                case ScalarType.String when !string.IsNullOrEmpty(scalar.Value):
                    return scalar.Value;
                case ScalarType.Integer when long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer):
                    return integer.ToString(CultureInfo.InvariantCulture);
                case ScalarType.Bool:
                    return YamlScalars.ToBool(scalar.Value!) ? "true" : "false";
            }
        }
        _context.Error(node, $"{path} must be a non-empty string, an integer or a boolean (a category's text); got {Describe(node)}.");
        return null;
    });

    /// <summary>A mapping of names to scalar values, each kept as its text (<c>max_depth: 4</c> is "4").</summary>
    public IReadOnlyDictionary<string, string> Texts(string field)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var node = Find(field);
        if (node is null) return result;
        if (node is not YamlMappingNode mapping)
        {
            _context.Error(node, $"{Path(field)} must be a mapping of names to values; got {Describe(node)}.");
            return result;
        }
        foreach (var (key, value) in mapping.Children)
        {
            if (key is not YamlScalarNode { Value: { Length: > 0 } name })
            {
                _context.Error(key, $"{Path(field)} has a key that is not a name.");
            }
            else if (value is not YamlScalarNode scalar || YamlScalars.TypeOf(scalar) == ScalarType.Null)
            {
                _context.Error(value, $"{Path(field)}.{name} must be a value (a string, number or boolean); got {Describe(value)}.");
            }
            else
            {
                result[name] = scalar.Value!;
            }
        }
        return result;
    }

    /// <summary>A nested mapping; null when absent or not a mapping.</summary>
    public MappingReader? Mapping(string field, IReadOnlyList<string> fields, bool required = false)
    {
        var node = Require(field, required, hint: null);
        return node is null ? null : Open(node, Path(field), fields, _context);
    }

    private YamlScalarNode? Scalar(string field, bool required, string? hint)
    {
        var node = Require(field, required, hint);
        if (node is null) return null;
        if (node is YamlScalarNode scalar) return scalar;
        _context.Error(node, $"{Path(field)} must be a single value; got {Describe(node)}.");
        return null;
    }

    private YamlNode? Require(string field, bool required, string? hint)
    {
        var node = Find(field);
        if (node is null && required) _context.Error(_values.GetValueOrDefault(field) ?? _node, $"{Path(field)} is required{Hint(hint)}.");
        return node;
    }

    private string Path(string field) => _path.Length == 0 ? field : $"{_path}.{field}";

    /// <summary>A value as it was written: a quoted number is a string, which is the mistake to point out.</summary>
    private static string Got(YamlScalarNode scalar) =>
        YamlScalars.TypeOf(scalar) == ScalarType.String && YamlScalars.TypeOfPlain(scalar.Value ?? "") is ScalarType.Integer or ScalarType.Float
            ? $"\"{scalar.Value}\", a string because it is quoted: write it without quotes"
            : $"'{scalar.Value}'";

    private static string Hint(string? hint) => hint is null ? "" : $" ({hint})";

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode scalar => $"{YamlScalars.Describe(YamlScalars.TypeOf(scalar))} ({scalar.Value})",
        _ => "something else",
    };

    /// <summary>Edit distance, for "did you mean": field names are short, so the quadratic table is nothing.</summary>
    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
