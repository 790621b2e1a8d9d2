using Cascade.Monitoring.Domain.Labels;

namespace Cascade.Monitoring.Tests.Labels;

/// <summary>
/// The changes an incremental checkpoint writes: only what arrived since the previous one and the sequence numbers of
/// stored predictions that left, a whole rewrite only when it is the smaller write or what is stored is unknown.
/// </summary>
public class PendingPredictionChangesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static PendingPrediction At(string id, string? entity, int minute) => new(id, entity, T0.AddMinutes(minute), minute, [0.5f]);

    private static PendingPredictions Filled(int capacity, int count, TimeSpan? expiry = null)
    {
        var pending = new PendingPredictions(capacity, expiry ?? TimeSpan.FromDays(1));
        for (var i = 0; i < count; i++) pending.Add(At($"p{i}", $"e{i % 7}", i));
        return pending;
    }

    [Fact]
    public void The_first_changes_replace_the_stored_set_with_every_waiting_prediction_in_arrival_order()
    {
        var pending = Filled(10, 3);
        pending.TakeById("p1");

        var changes = pending.TakeChanges();

        changes.Replace.Should().BeTrue();
        changes.Added.Select(a => a.Prediction.PredictionId).Should().Equal("p0", "p2");
        changes.Added.Select(a => a.Sequence).Should().BeInAscendingOrder();
        changes.Removed.Should().BeEmpty();
    }

    [Fact]
    public void Later_changes_hold_only_new_arrivals_and_the_stored_predictions_that_left()
    {
        var pending = Filled(capacity: 5, count: 5, expiry: TimeSpan.FromMinutes(30));
        var stored = pending.TakeChanges().Added.ToDictionary(a => a.Prediction.PredictionId, a => a.Sequence);

        pending.TakeById("p1").Should().NotBeNull();                    // joined by id
        pending.TakeByEntity("e3", T0.AddMinutes(3)).Should().NotBeNull(); // joined by entity: p3
        pending.Add(At("p5", "e5", 5));
        pending.Add(At("p6", "e6", 6));
        pending.Add(At("p7", "e0", 7));                                  // the sixth waiting: p0 dropped by capacity
        pending.TakeById("p6");                                          // arrived and joined between two checkpoints
        pending.Expire(T0.AddMinutes(32));                               // p2 expired (p0 was already gone)

        var changes = pending.TakeChanges();

        changes.Replace.Should().BeFalse();
        changes.Added.Select(a => a.Prediction.PredictionId).Should().Equal("p5", "p7");
        changes.Removed.Should().BeEquivalentTo(new[] { stored["p1"], stored["p3"], stored["p0"], stored["p2"] });
        pending.TakeChanges().Should().BeEquivalentTo(new PendingChanges(false, [], []), "nothing changed since");
    }

    [Fact]
    public void Changes_outnumbering_the_waiting_predictions_become_a_whole_rewrite_so_memory_stays_bounded()
    {
        var pending = Filled(capacity: 2_000, count: 2_000);
        pending.TakeChanges();

        for (var i = 2_000; i < 5_000; i++) pending.Add(At($"p{i}", "e", i)); // every arrival drops the oldest

        var changes = pending.TakeChanges();
        changes.Replace.Should().BeTrue();
        changes.Added.Select(a => a.Prediction.PredictionId).Should().Equal(Enumerable.Range(3_000, 2_000).Select(i => $"p{i}"));
    }

    [Fact]
    public void After_a_lost_checkpoint_or_an_import_the_next_changes_replace_the_whole_set()
    {
        var pending = Filled(10, 3);
        pending.TakeChanges();
        pending.Add(At("p3", null, 3));
        pending.TakeChanges(); // handed to a checkpoint that failed

        pending.ReplaceOnNextChanges();
        pending.TakeChanges().Should().Match<PendingChanges>(c => c.Replace && c.Added.Count == 4);

        pending.Import([At("a", null, 0)], dropped: 0);
        pending.TakeChanges().Should().Match<PendingChanges>(c => c.Replace && c.Added.Count == 1);
    }
}
