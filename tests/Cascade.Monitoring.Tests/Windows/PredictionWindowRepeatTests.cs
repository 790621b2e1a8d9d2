using Cascade.Monitoring.Domain.Windows;

namespace Cascade.Monitoring.Tests.Windows;

/// <summary>How the window recognises an entity scored again with unchanged inputs: against its latest record only, while that record is in the window.</summary>
public class PredictionWindowRepeatTests
{
    private static readonly DateTimeOffset T = DateTimeOffset.UnixEpoch;

    [Fact]
    public void The_same_inputs_and_output_for_the_same_entity_repeat_its_latest_record()
    {
        var window = new PredictionWindow(4, 2);
        window.Add([1f, float.NaN], 0.5f, 0, T, entity: "a");

        window.IsRepeat("a", [1f, float.NaN], 0.5f).Should().BeTrue("a missing value equals a missing value");
        window.IsRepeat("a", [1f, float.PositiveInfinity], 0.5f).Should().BeTrue("a non-finite input is stored as missing");
        window.IsRepeat("a", [1f, 2f], 0.5f).Should().BeFalse("a feature changed");
        window.IsRepeat("a", [1f, float.NaN], 0.6f).Should().BeFalse("the output changed");
        window.IsRepeat("b", [1f, float.NaN], 0.5f).Should().BeFalse("another entity is another member of the population");
        window.IsRepeat(null, [1f, float.NaN], 0.5f).Should().BeFalse("without an entity nothing says it is the same one");
        window.IsRepeat("", [1f, float.NaN], 0.5f).Should().BeFalse();
    }

    [Fact]
    public void Only_the_entitys_latest_record_counts()
    {
        var window = new PredictionWindow(8, 1);
        window.Add([1f], 0.1f, 0, T, entity: "a");
        window.Add([2f], 0.2f, 1, T, entity: "a");

        window.IsRepeat("a", [1f], 0.1f).Should().BeFalse("the entity moved on from these inputs");
        window.IsRepeat("a", [2f], 0.2f).Should().BeTrue();
    }

    [Fact]
    public void A_withheld_feature_compares_as_the_missing_value_it_is_stored_as()
    {
        var window = new PredictionWindow(4, 2);
        window.Add([1f, 7f], 0.5f, 0, T, [1], entity: "a");

        window.IsRepeat("a", [1f, 9f], 0.5f, [1]).Should().BeTrue("the withheld value is unknown either way");
        window.IsRepeat("a", [1f, 9f], 0.5f).Should().BeFalse("a known value is not the withheld one");
    }

    [Fact]
    public void An_entity_is_forgotten_when_its_latest_record_leaves_the_window()
    {
        var window = new PredictionWindow(2, 1);
        window.Add([1f], 0.1f, 0, T, entity: "a");
        window.Add([2f], 0.2f, 1, T, entity: "b");
        window.Add([3f], 0.3f, 2, T, entity: "c"); // evicts a

        window.IsRepeat("a", [1f], 0.1f).Should().BeFalse();
        window.IsRepeat("b", [2f], 0.2f).Should().BeTrue();
        window.Export().Select(r => r.EntityId).Should().Equal("b", "c");
    }

    [Fact]
    public void Evicting_an_older_record_of_an_entity_keeps_its_latest_one()
    {
        var window = new PredictionWindow(2, 1);
        window.Add([1f], 0.1f, 0, T, entity: "a");
        window.Add([2f], 0.2f, 1, T, entity: "a");
        window.Add([3f], 0.3f, 2, T, entity: "c"); // evicts a's older record

        window.IsRepeat("a", [2f], 0.2f).Should().BeTrue();
    }

    [Fact]
    public void Clearing_forgets_every_entity()
    {
        var window = new PredictionWindow(2, 1);
        window.Add([1f], 0.1f, 0, T, entity: "a");

        window.Clear();

        window.IsRepeat("a", [1f], 0.1f).Should().BeFalse();
    }
}
