using Cascade.Cli.Ingest;
using Cascade.Contracts.Common.V1;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.Cli.Tests.Ingest;

public sealed class CellConversionTests
{
    public static TheoryData<object, ValueType, Value> Good => new()
    {
        { "2.5", ValueType.Float64, new Value { Float64Value = 2.5 } },
        { "-1e3", ValueType.Float64, new Value { Float64Value = -1000 } },
        { " 7 ", ValueType.Float64, new Value { Float64Value = 7 } },
        { 3, ValueType.Float64, new Value { Float64Value = 3 } },
        { 1.25f, ValueType.Float64, new Value { Float64Value = 1.25 } },
        { "42", ValueType.Int64, new Value { Int64Value = 42 } },
        { "3.0", ValueType.Int64, new Value { Int64Value = 3 } },
        { 9_000_000_000L, ValueType.Int64, new Value { Int64Value = 9_000_000_000 } },
        { 4.0, ValueType.Int64, new Value { Int64Value = 4 } },
        { "TRUE", ValueType.Bool, new Value { BoolValue = true } },
        { "0", ValueType.Bool, new Value { BoolValue = false } },
        { false, ValueType.Bool, new Value { BoolValue = false } },
        { 1L, ValueType.Bool, new Value { BoolValue = true } },
        { "a, b", ValueType.String, new Value { StringValue = "a, b" } },
        { 12L, ValueType.String, new Value { StringValue = "12" } },
    };

    [Theory]
    [MemberData(nameof(Good))]
    public void Cells_convert_to_the_column_type(object cell, ValueType type, Value expected)
    {
        CellConversion.TryValue(cell, type, out var value, out _).Should().BeTrue();
        value.Should().Be(expected);
    }

    [Theory]
    [InlineData("1,5", ValueType.Float64, "'1,5' is not a number (FLOAT64)")]
    [InlineData("abc", ValueType.Float64, "'abc' is not a number (FLOAT64)")]
    [InlineData("3.5", ValueType.Int64, "'3.5' is not a whole number (INT64)")]
    [InlineData("1e30", ValueType.Int64, "'1e30' is not a whole number (INT64)")]
    [InlineData("yes", ValueType.Bool, "'yes' is not a boolean (BOOL: true, false, 1 or 0)")]
    [InlineData(true, ValueType.Float64, "'true' is not a number (FLOAT64)")]
    public void Cells_that_do_not_fit_the_type_say_so(object cell, ValueType type, string reason)
    {
        CellConversion.TryValue(cell, type, out _, out var why).Should().BeFalse();
        why.Should().Be(reason);
    }

    [Fact]
    public void Null_and_empty_text_are_missing_but_zero_and_spaces_are_not()
    {
        CellConversion.IsMissing(null).Should().BeTrue();
        CellConversion.IsMissing("").Should().BeTrue();
        CellConversion.IsMissing(" ").Should().BeFalse();
        CellConversion.IsMissing(0.0).Should().BeFalse();
    }

    [Theory]
    [InlineData("1", 1.0)]
    [InlineData("0.25", 0.25)]
    [InlineData("true", 1.0)]
    [InlineData("False", 0.0)]
    public void Labels_are_numbers_or_booleans(string cell, double expected)
    {
        CellConversion.TryLabel(cell, out var label, out _).Should().BeTrue();
        label.Should().Be(expected);
    }
}
