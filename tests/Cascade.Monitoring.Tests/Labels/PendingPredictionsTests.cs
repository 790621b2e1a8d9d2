using Cascade.Monitoring.Domain.Labels;

namespace Cascade.Monitoring.Tests.Labels;

public class PendingPredictionsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static PendingPrediction At(string id, string? entity, int minute) => new(id, entity, T0.AddMinutes(minute), minute, [0.5f]);

    [Fact]
    public void A_prediction_joins_once_by_id()
    {
        var pending = new PendingPredictions(10, TimeSpan.FromHours(1));
        pending.Add(At("a", "alice", 0));

        pending.TakeById("a").Should().NotBeNull();
        pending.TakeById("a").Should().BeNull();
        pending.TakeByEntity("alice", T0.AddHours(1)).Should().BeNull("joining by id removed it from the entity index too");
    }

    [Fact]
    public void An_entity_label_joins_the_latest_prediction_made_at_or_before_it()
    {
        var pending = new PendingPredictions(10, TimeSpan.FromHours(1));
        pending.Add(At("early", "alice", 0));
        pending.Add(At("late", "alice", 20));
        pending.Add(At("middle", "alice", 10)); // arrives out of order

        pending.TakeByEntity("alice", T0.AddMinutes(15))!.PredictionId.Should().Be("middle");
        pending.TakeByEntity("alice", T0.AddMinutes(15))!.PredictionId.Should().Be("early");
        pending.TakeByEntity("alice", T0.AddMinutes(15)).Should().BeNull("the remaining prediction was made after the label");
        pending.TakeByEntity("alice", T0.AddMinutes(20))!.PredictionId.Should().Be("late");
    }

    [Fact]
    public void Capacity_drops_the_oldest_prediction()
    {
        var pending = new PendingPredictions(2, TimeSpan.FromHours(1));
        pending.Add(At("a", "x", 0));
        pending.Add(At("b", "x", 1));
        pending.Add(At("c", "x", 2));

        pending.Count.Should().Be(2);
        pending.Dropped.Should().Be(1);
        pending.TakeById("a").Should().BeNull();
        pending.TakeByEntity("x", T0.AddMinutes(0.5)).Should().BeNull();
    }

    [Fact]
    public void Expiry_drops_predictions_older_than_the_limit_and_skips_joined_ones()
    {
        var pending = new PendingPredictions(10, TimeSpan.FromMinutes(30));
        pending.Add(At("a", null, 0));
        pending.Add(At("b", null, 10));
        pending.Add(At("c", null, 40));
        pending.TakeById("a");

        pending.Expire(T0.AddMinutes(45));

        pending.Count.Should().Be(1);
        pending.Dropped.Should().Be(1, "only b expired; a had joined");
        pending.Export().Select(p => p.PredictionId).Should().Equal("c");
    }

    [Fact]
    public void A_redelivered_prediction_id_is_not_added_twice()
    {
        var pending = new PendingPredictions(10, TimeSpan.FromHours(1));

        pending.Add(At("a", "x", 0)).Should().BeTrue();
        pending.Add(At("a", "x", 0)).Should().BeFalse();
        pending.Count.Should().Be(1);
    }

    [Fact]
    public void Joined_predictions_do_not_accumulate_in_the_arrival_queue()
    {
        var pending = new PendingPredictions(100, TimeSpan.FromDays(1));
        for (var i = 0; i < 100_000; i++)
        {
            pending.Add(At($"p{i}", $"e{i % 7}", 0));
            pending.TakeById($"p{i}");
        }

        pending.Count.Should().Be(0);
        pending.Export().Should().BeEmpty();
        pending.Dropped.Should().Be(0);
    }
}
