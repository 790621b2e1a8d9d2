using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Cascade.Cli.Specs.Model;

/// <summary>
/// Durations as people write them in spec files: <c>90s</c>, <c>30m</c>, <c>1h30m</c>, <c>500ms</c>, <c>2d</c>;
/// <c>0s</c> is zero (off). Written back in the same form, largest unit first, so output reads like input.
/// </summary>
internal static partial class SpecDurations
{
    /// <summary>How a duration is described in error messages and the JSON Schema.</summary>
    public const string Expected = "a duration such as 90s, 30m, 1h or 1h30m (units d, h, m, s, ms; 0s = off)";

    /// <summary>The pattern the JSON Schema gives for durations (the same language as <see cref="TryParse"/>).</summary>
    public const string Pattern = "^([0-9]+(d|h|m|s|ms))+$";

    private static readonly (string Unit, TimeSpan Size)[] Units =
        [("d", TimeSpan.FromDays(1)), ("h", TimeSpan.FromHours(1)), ("m", TimeSpan.FromMinutes(1)), ("s", TimeSpan.FromSeconds(1)), ("ms", TimeSpan.FromMilliseconds(1))];

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (!Whole().IsMatch(text)) return false;
        try
        {
            foreach (Match part in Part().Matches(text))
            {
                var count = long.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
                var size = Units.First(u => u.Unit == part.Groups[2].Value).Size;
                duration = checked(duration + TimeSpan.FromTicks(checked(count * size.Ticks)));
            }
            return true;
        }
        catch (Exception ex) when (ex is OverflowException or FormatException)
        {
            return false;
        }
    }

    /// <summary>The duration in the spec language; sub-millisecond parts are dropped (the services work in milliseconds or coarser).</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(duration), duration, "A spec duration cannot be negative.");
        var remaining = TimeSpan.FromMilliseconds(Math.Floor(duration.TotalMilliseconds));
        if (remaining == TimeSpan.Zero) return "0s";
        var text = new StringBuilder();
        foreach (var (unit, size) in Units)
        {
            var count = remaining.Ticks / size.Ticks;
            if (count == 0) continue;
            text.Append(count.ToString(CultureInfo.InvariantCulture)).Append(unit);
            remaining -= TimeSpan.FromTicks(count * size.Ticks);
        }
        return text.ToString();
    }

    [GeneratedRegex(Pattern)]
    private static partial Regex Whole();

    // "ms" before "m" and "s": the alternation is tried in order.
    [GeneratedRegex("([0-9]+)(ms|d|h|m|s)")]
    private static partial Regex Part();
}
