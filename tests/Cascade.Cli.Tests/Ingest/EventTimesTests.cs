using Cascade.Cli.Ingest;

namespace Cascade.Cli.Tests.Ingest;

public sealed class EventTimesTests
{
    private static readonly DateTimeOffset Noon = new(2026, 1, 31, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("2026-01-31T12:00:00Z", 0)]
    [InlineData("2026-01-31T12:00:00", 0)]
    [InlineData("2026-01-31 12:00:00", 0)]
    [InlineData("2026-01-31T13:00:00+01:00", 0)]
    [InlineData("2026-01-31T12:00:00.250Z", 250)]
    [InlineData("2026-01-31T12:00Z", 0)]
    [InlineData("1769860800", 0)]
    [InlineData("1769860800.25", 250)]
    [InlineData("1769860800000", 0)]
    [InlineData("1769860800250", 250)]
    public void ISO_8601_text_and_Unix_seconds_or_milliseconds_give_the_same_instant(string cell, int milliseconds)
    {
        EventTimes.TryParse(cell, out var time, out var reason).Should().BeTrue(reason);
        time.Should().Be(Noon.AddMilliseconds(milliseconds));
        time.Offset.Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void A_date_alone_is_midnight_UTC_and_typed_Parquet_values_are_taken_as_they_are()
    {
        EventTimes.TryParse("2026-01-31", out var date, out _).Should().BeTrue();
        date.Should().Be(Noon.AddHours(-12));
        EventTimes.TryParse(new DateTime(2026, 1, 31, 12, 0, 0, DateTimeKind.Unspecified), out var unspecified, out _).Should().BeTrue();
        unspecified.Should().Be(Noon, "a timestamp without a zone counts as UTC");
        EventTimes.TryParse(1_769_860_800L, out var seconds, out _).Should().BeTrue();
        seconds.Should().Be(Noon);
        EventTimes.TryParse(1_769_860_800_000L, out var millis, out _).Should().BeTrue();
        millis.Should().Be(Noon);
        EventTimes.TryParse(new DateOnly(2026, 1, 31), out var day, out _).Should().BeTrue();
        day.Should().Be(Noon.AddHours(-12));
    }

    [Theory]
    [InlineData("yesterday", "'yesterday' is not a time")]
    [InlineData("31/01/2026", "'31/01/2026' is not a time")]
    [InlineData("2026-13-01", "'2026-13-01' is not a time")]
    [InlineData("1e300", "is outside the years 1–9999")]
    public void Text_that_is_no_time_is_refused(string cell, string reason)
    {
        EventTimes.TryParse(cell, out _, out var why).Should().BeFalse();
        why.Should().Contain(reason);
    }
}
