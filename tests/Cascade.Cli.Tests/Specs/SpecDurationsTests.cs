using Cascade.Cli.Specs.Model;

namespace Cascade.Cli.Tests.Specs;

public sealed class SpecDurationsTests
{
    [Theory]
    [InlineData("90s", 90_000)]
    [InlineData("30m", 1_800_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("500ms", 500)]
    [InlineData("1m500ms", 60_500)]
    [InlineData("2d", 172_800_000)]
    [InlineData("0s", 0)]
    public void Durations_are_read_in_the_units_people_write(string text, long milliseconds)
    {
        SpecDurations.TryParse(text, out var duration).Should().BeTrue();
        duration.Should().Be(TimeSpan.FromMilliseconds(milliseconds));
    }

    [Theory]
    [InlineData("90")]
    [InlineData("1.5h")]
    [InlineData("-1s")]
    [InlineData("h")]
    [InlineData("1 h")]
    [InlineData("1H")]
    [InlineData("")]
    [InlineData("99999999999999999999d")]
    public void Anything_else_is_not_a_duration(string text) =>
        SpecDurations.TryParse(text, out _).Should().BeFalse();

    [Theory]
    [InlineData(90_000, "1m30s")]
    [InlineData(3_600_000, "1h")]
    [InlineData(60_500, "1m500ms")]
    [InlineData(0, "0s")]
    [InlineData(90_061_001, "1d1h1m1s1ms")]
    public void Durations_are_written_largest_unit_first_and_read_back_the_same(long milliseconds, string text)
    {
        SpecDurations.Format(TimeSpan.FromMilliseconds(milliseconds)).Should().Be(text);
        SpecDurations.TryParse(text, out var back).Should().BeTrue();
        back.Should().Be(TimeSpan.FromMilliseconds(milliseconds));
    }
}
