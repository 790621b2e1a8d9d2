using Cascade.Monitoring.Domain.Windows;

namespace Cascade.Monitoring.Tests.Windows;

/// <summary>The window's record of withheld features: marked per record, erased backwards when a feature starts being withheld, released as records leave.</summary>
public class PredictionWindowWithheldTests
{
    private static readonly DateTimeOffset T = DateTimeOffset.UnixEpoch;

    [Fact]
    public void A_withheld_value_is_stored_as_nan_whatever_it_carried_and_marks_the_feature()
    {
        var window = new PredictionWindow(4, 2);

        window.Add([1f, 2f], 0.5f, 0, T, [1]);

        window.Column(0).ToArray().Should().Equal(1f);
        float.IsNaN(window.Column(1)[0]).Should().BeTrue();
        window.IsWithheld(0).Should().BeFalse();
        window.IsWithheld(1).Should().BeTrue();
    }

    [Fact]
    public void The_first_withheld_record_of_a_feature_erases_the_values_earlier_records_kept()
    {
        var window = new PredictionWindow(4, 2);
        window.Add([1f, 10f], 0, 0, T);
        window.Add([2f, 20f], 0, 1, T);

        window.Add([3f, 30f], 0, 2, T, [1]);

        window.Column(1).ToArray().Should().OnlyContain(v => float.IsNaN(v));
        window.Column(0).ToArray().Should().Equal(1f, 2f, 3f);
        window.Export().Should().OnlyContain(r => r.Withheld != null && r.Withheld.SequenceEqual(new[] { 1 }));
    }

    [Fact]
    public void The_mark_leaves_with_the_last_withheld_record()
    {
        var window = new PredictionWindow(2, 1);
        window.Add([1f], 0, 0, T, [0]);
        window.Add([2f], 0, 1, T, [0]);

        window.Add([3f], 0, 2, T);
        window.IsWithheld(0).Should().BeTrue("one withheld record is still in the window");
        window.Add([4f], 0, 3, T);

        window.IsWithheld(0).Should().BeFalse();
        window.Column(0).ToArray().Should().Equal(3f, 4f);
        window.Export().Should().OnlyContain(r => r.Withheld == null);
    }

    [Fact]
    public void A_position_listed_twice_counts_once_and_a_position_outside_the_vector_is_refused()
    {
        var window = new PredictionWindow(2, 2);
        window.Add([1f, 1f], 0, 0, T, [1, 1]);
        window.Add([2f, 2f], 0, 1, T);
        window.Add([3f, 3f], 0, 2, T);
        window.IsWithheld(1).Should().BeFalse("the one withheld record has left");

        var outside = () => window.Add([1f, 1f], 0, 3, T, [2]);
        outside.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Clearing_forgets_the_marks()
    {
        var window = new PredictionWindow(2, 1);
        window.Add([1f], 0, 0, T, [0]);

        window.Clear();
        window.Add([2f], 0, 1, T);

        window.IsWithheld(0).Should().BeFalse();
    }
}
