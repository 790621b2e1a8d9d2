using System.Text.RegularExpressions;

namespace Cascade.Contracts;

/// <summary>
/// The rule for names that become part of topic names and keys (datasets, feature views): 1–64 lower-case letters,
/// digits, '-' or '_', starting with a letter. One rule, so a view can never name a dataset that could not exist.
/// </summary>
public static partial class ResourceNames
{
    public static bool IsValid(string name) => Pattern().IsMatch(name);

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,63}$")]
    private static partial Regex Pattern();
}
