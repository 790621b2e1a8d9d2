using System.Globalization;

namespace Cascade.Cli.Ingest;

/// <summary>
/// Reads an event time: ISO 8601 text (a date, or a date and time with optional fraction and zone; no zone means
/// UTC), a Unix time in seconds or milliseconds (a number: below <see cref="MillisecondsFrom"/> it counts seconds,
/// from it milliseconds), or a Parquet timestamp or date (a timestamp without a zone counts as UTC).
/// </summary>
internal static class EventTimes
{
    /// <summary>
    /// Numbers from here on are milliseconds: 10^11 seconds is the year 5138, 10^11 milliseconds March 1973, so real
    /// event times in either unit fall on the right side.
    /// </summary>
    public const double MillisecondsFrom = 100_000_000_000;

    private static readonly string[] IsoFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd HH:mmK", "yyyy-MM-dd",
    ];

    private static readonly DateTimeOffset Earliest = DateTimeOffset.FromUnixTimeMilliseconds(-62_135_596_800_000);
    private static readonly DateTimeOffset Latest = DateTimeOffset.FromUnixTimeMilliseconds(253_402_300_799_999);

    /// <summary>The cell as an instant in UTC, or false with the reason.</summary>
    public static bool TryParse(object cell, out DateTimeOffset time, out string reason)
    {
        var parsed = TryRead(cell, out time, out reason);
        time = time.ToUniversalTime();
        return parsed;
    }

    private static bool TryRead(object cell, out DateTimeOffset time, out string reason)
    {
        reason = string.Empty;
        switch (cell)
        {
            case DateTimeOffset offset:
                time = offset;
                return true;
            case DateTime dateTime:
                time = new DateTimeOffset(dateTime.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dateTime, DateTimeKind.Utc) : dateTime.ToUniversalTime());
                return true;
            case DateOnly date:
                time = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
                return true;
            case string text when DateTimeOffset.TryParseExact(text.Trim(), IsoFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time):
                return true;
            case string text when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole):
                return FromUnix(whole, out time, out reason);
            case string text when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number):
                return FromUnix(number, out time, out reason);
            case string text:
                time = default;
                reason = $"{CellConversion.Show(text)} is not a time (ISO 8601 such as 2026-01-31T12:00:00Z, or Unix seconds or milliseconds)";
                return false;
            case long or int or uint or short or ushort:
                return FromUnix(Convert.ToInt64(cell, CultureInfo.InvariantCulture), out time, out reason);
            case double or float or ulong or decimal:
                return FromUnix(Convert.ToDouble(cell, CultureInfo.InvariantCulture), out time, out reason);
            default:
                time = default;
                reason = $"a {cell.GetType().Name} column cannot hold a time (use a timestamp, ISO 8601 text, or Unix seconds or milliseconds)";
                return false;
        }
    }

    /// <summary>Whole numbers exactly (a double holds only 15–16 digits, too few for ticks since 1970).</summary>
    private static bool FromUnix(long number, out DateTimeOffset time, out string reason)
    {
        var milliseconds = Math.Abs((double)number) < MillisecondsFrom ? (Int128)number * 1000 : number;
        if (milliseconds < Earliest.ToUnixTimeMilliseconds() || milliseconds > Latest.ToUnixTimeMilliseconds())
        {
            time = default;
            reason = $"{number} is outside the years 1–9999 as Unix seconds or milliseconds";
            return false;
        }
        time = DateTimeOffset.FromUnixTimeMilliseconds((long)milliseconds);
        reason = string.Empty;
        return true;
    }

    private static bool FromUnix(double number, out DateTimeOffset time, out string reason)
    {
        var milliseconds = Math.Abs(number) < MillisecondsFrom ? number * 1000 : number;
        var epoch = DateTimeOffset.UnixEpoch;
        if (!double.IsFinite(milliseconds) || milliseconds < (Earliest - epoch).TotalMilliseconds || milliseconds > (Latest - epoch).TotalMilliseconds)
        {
            time = default;
            reason = $"{number.ToString("R", CultureInfo.InvariantCulture)} is outside the years 1–9999 as Unix seconds or milliseconds";
            return false;
        }
        time = epoch.AddTicks((long)Math.Round(milliseconds * TimeSpan.TicksPerMillisecond));
        reason = string.Empty;
        return true;
    }
}
