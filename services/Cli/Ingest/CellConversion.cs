using System.Globalization;
using Cascade.Contracts.Common.V1;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.Cli.Ingest;

/// <summary>
/// Converts one cell (CSV text, or a Parquet value of the column's own type) to what the dataset's column needs.
/// Every method returns false with a reason a user can act on; text is read with the invariant culture.
/// </summary>
internal static class CellConversion
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Null, or empty text: a missing value (CSV cannot tell the two apart, so neither format does).</summary>
    public static bool IsMissing(object? cell) => cell is null || cell is string { Length: 0 };

    /// <summary>A non-missing cell as a value of <paramref name="type"/>.</summary>
    public static bool TryValue(object cell, ValueType type, out Value value, out string reason)
    {
        value = new Value();
        reason = string.Empty;
        switch (type)
        {
            case ValueType.Float64 when TryDouble(cell, out var number):
                value.Float64Value = number;
                return true;
            case ValueType.Float64:
                reason = $"{Show(cell)} is not a number (FLOAT64)";
                return false;
            case ValueType.Int64 when TryInt64(cell, out var whole):
                value.Int64Value = whole;
                return true;
            case ValueType.Int64:
                reason = $"{Show(cell)} is not a whole number (INT64)";
                return false;
            case ValueType.Bool when TryBool(cell, out var flag):
                value.BoolValue = flag;
                return true;
            case ValueType.Bool:
                reason = $"{Show(cell)} is not a boolean (BOOL: true, false, 1 or 0)";
                return false;
            case ValueType.String:
                value.StringValue = Text(cell);
                return true;
            default:
                reason = $"the dataset declares type {type}, which this client cannot fill";
                return false;
        }
    }

    /// <summary>A label: a number, or a boolean as 1/0.</summary>
    public static bool TryLabel(object cell, out double label, out string reason)
    {
        reason = string.Empty;
        if (TryDouble(cell, out label)) return true;
        if (TryBool(cell, out var flag))
        {
            label = flag ? 1 : 0;
            return true;
        }
        reason = $"{Show(cell)} is not a label (a number, or true/false)";
        return false;
    }

    /// <summary>Any cell as text: entity ids and record ids (numbers in invariant form, times in ISO 8601).</summary>
    public static string Text(object cell) => cell switch
    {
        string s => s,
        double d => d.ToString("R", Invariant),
        float f => f.ToString("R", Invariant),
        bool b => b ? "true" : "false",
        DateTime t => t.ToString("O", Invariant),
        DateTimeOffset t => t.ToString("O", Invariant),
        DateOnly d => d.ToString("yyyy-MM-dd", Invariant),
        IFormattable f => f.ToString(null, Invariant),
        _ => cell.ToString() ?? string.Empty,
    };

    private static bool TryDouble(object cell, out double value)
    {
        switch (cell)
        {
            case string s:
                return double.TryParse(s, NumberStyles.Float, Invariant, out value);
            case double or float or long or int or short or sbyte or byte or ushort or uint or ulong or decimal:
                value = Convert.ToDouble(cell, Invariant);
                return true;
            default:
                value = 0;
                return false;
        }
    }

    private static bool TryInt64(object cell, out long value)
    {
        switch (cell)
        {
            case string s when long.TryParse(s, NumberStyles.Integer, Invariant, out value):
                return true;
            case long or int or short or sbyte or byte or ushort or uint:
                value = Convert.ToInt64(cell, Invariant);
                return true;
            case ulong u when u <= long.MaxValue:
                value = (long)u;
                return true;
            case decimal m when decimal.Truncate(m) == m && m is >= long.MinValue and <= long.MaxValue:
                value = (long)m;
                return true;
        }
        // "3.0" or a float column holding 3: a whole number written as a real one.
        if (cell is string or double or float && TryDouble(cell, out var real) && Math.Floor(real) == real && real is >= -9.2233720368547758E18 and < 9.2233720368547758E18)
        {
            value = (long)real;
            return true;
        }
        value = 0;
        return false;
    }

    private static bool TryBool(object cell, out bool value)
    {
        switch (cell)
        {
            case bool b:
                value = b;
                return true;
            case string s:
                var text = s.Trim();
                if (text.Equals("true", StringComparison.OrdinalIgnoreCase) || text == "1") { value = true; return true; }
                if (text.Equals("false", StringComparison.OrdinalIgnoreCase) || text == "0") { value = false; return true; }
                break;
            case long or int or short or sbyte or byte or ushort or uint or ulong:
                var number = Convert.ToDecimal(cell, Invariant);
                if (number is 0 or 1) { value = number == 1; return true; }
                break;
        }
        value = false;
        return false;
    }

    /// <summary>A cell quoted for a report, shortened so one bad cell cannot flood the terminal.</summary>
    public static string Show(object cell)
    {
        var text = Text(cell);
        return text.Length <= 40 ? $"'{text}'" : $"'{text[..40]}…'";
    }
}
