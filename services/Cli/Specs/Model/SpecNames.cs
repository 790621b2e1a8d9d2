using System.Text;

namespace Cascade.Cli.Specs.Model;

/// <summary>Enum values as spec files spell them: lower snake case (<c>AsMissing</c> is <c>as_missing</c>, <c>Float64</c> is <c>float64</c>).</summary>
internal static class SpecNames
{
    public static string Of<T>(T value) where T : struct, Enum => Snake(value.ToString());

    /// <summary>Every spelling of <typeparamref name="T"/>, in declaration order (for messages and the schema).</summary>
    public static IReadOnlyList<string> All<T>() where T : struct, Enum => Enum.GetValues<T>().Select(Of).ToArray();

    public static bool TryParse<T>(string text, out T value) where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (Of(candidate) == text)
            {
                value = candidate;
                return true;
            }
        }
        value = default;
        return false;
    }

    private static string Snake(string pascal)
    {
        var text = new StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (i > 0 && char.IsUpper(pascal[i])) text.Append('_');
            text.Append(char.ToLowerInvariant(pascal[i]));
        }
        return text.ToString();
    }
}
