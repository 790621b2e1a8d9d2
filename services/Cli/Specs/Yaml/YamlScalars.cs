using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Cascade.Cli.Specs.Yaml;

/// <summary>What a scalar is under YAML 1.2's core schema, the one editors (and the JSON Schema check) apply.</summary>
internal enum ScalarType
{
    Null,
    Bool,
    Integer,
    Float,
    String,
}

/// <summary>
/// Types scalars as YAML 1.2's core schema does: a plain <c>60</c> is an integer, <c>true</c> a boolean, <c>~</c> null,
/// and anything quoted a string. The reader uses it to refuse a wrong type (<c>rounds: "60"</c>) as an editor would,
/// and the writer to quote strings that would otherwise read as something else.
/// </summary>
internal static partial class YamlScalars
{
    public static ScalarType TypeOf(YamlScalarNode scalar) =>
        scalar.Style is ScalarStyle.Plain or ScalarStyle.Any ? TypeOfPlain(scalar.Value ?? "") : ScalarType.String;

    public static ScalarType TypeOfPlain(string text) => text switch
    {
        "" or "~" or "null" or "Null" or "NULL" => ScalarType.Null,
        "true" or "True" or "TRUE" or "false" or "False" or "FALSE" => ScalarType.Bool,
        _ when Integer().IsMatch(text) => ScalarType.Integer,
        _ when Float().IsMatch(text) => ScalarType.Float,
        _ => ScalarType.String,
    };

    public static bool ToBool(string text) => text is "true" or "True" or "TRUE";

    public static double ToDouble(string text) => text switch
    {
        ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF" => double.PositiveInfinity,
        "-.inf" or "-.Inf" or "-.INF" => double.NegativeInfinity,
        ".nan" or ".NaN" or ".NAN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    /// <summary>How a type is named to a user.</summary>
    public static string Describe(ScalarType type) => type switch
    {
        ScalarType.Null => "nothing",
        ScalarType.Bool => "a boolean",
        ScalarType.Integer => "an integer",
        ScalarType.Float => "a number",
        _ => "a string",
    };

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$")]
    private static partial Regex Float();
}
