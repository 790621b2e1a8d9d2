using System.Globalization;
using Cascade.Contracts.Common.V1;

namespace Cascade.Features.Domain;

/// <summary>
/// The text a record's value has as a category: STRING as it is, INT64 in invariant decimal, BOOL as <c>true</c> /
/// <c>false</c>. The same text a CSV cell holds for such a value, so <c>cascade predict</c> on raw CSV encodes as Features does.
/// </summary>
public static class CategoricalText
{
    /// <summary>The value's text; null when it is missing (absent, no kind, or empty) or not categorical (FLOAT64).</summary>
    public static string? Of(Value? value) => value?.KindCase switch
    {
        Value.KindOneofCase.StringValue => value.StringValue.Length == 0 ? null : value.StringValue,
        Value.KindOneofCase.Int64Value => value.Int64Value.ToString(CultureInfo.InvariantCulture),
        Value.KindOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        _ => null,
    };

    /// <summary>Whether a value of this kind can be a category (FLOAT64 cannot: equal numbers have many texts).</summary>
    public static bool IsCategorical(Value.KindOneofCase kind) => kind is not Value.KindOneofCase.Float64Value;
}
