using Cascade.EventLog.Embedded;

namespace Cascade.EventLog.Tests.Embedded;

public sealed class AppendOrderTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);
    private readonly AppendOrder _order = new(partitions: 4);

    /// <summary>Whether the append may write now: the synchronous answer, before any waiting.</summary>
    private bool MayWriteNow(QueuedAppend append, int from, int to) => _order.WaitTurnAsync(append, from, to, CancellationToken.None).IsCompleted;

    [Fact]
    public async Task An_append_waits_only_for_the_partitions_an_earlier_append_still_has_records_in()
    {
        var first = _order.Enqueue([0, 0, 1]);
        var samePartition = _order.Enqueue([1]);
        var otherPartition = _order.Enqueue([2]);

        MayWriteNow(first, 0, 3).Should().BeTrue("the first append waits for nobody");
        MayWriteNow(samePartition, 0, 1).Should().BeFalse("partition 1 still holds a record of the first append");
        MayWriteNow(otherPartition, 0, 1).Should().BeTrue("nothing called before it goes to partition 2");
        var waiting = _order.WaitTurnAsync(samePartition, 0, 1, CancellationToken.None).AsTask();

        _order.Written(first, 0, 2);
        MayWriteNow(samePartition, 0, 1).Should().BeFalse("the first append's record in partition 1 is not written yet");
        _order.Written(first, 2, 3);
        MayWriteNow(samePartition, 0, 1).Should().BeTrue();
        await waiting.WaitAsync(HangGuard);
    }

    [Fact]
    public async Task An_append_that_fails_part_way_stops_holding_later_appends_back()
    {
        var failed = _order.Enqueue([3, 3, 3]);
        var later = _order.Enqueue([3]);
        var waiting = _order.WaitTurnAsync(later, 0, 1, CancellationToken.None).AsTask();
        _order.Written(failed, 0, 1);
        MayWriteNow(later, 0, 1).Should().BeFalse();

        _order.Leave(failed);

        MayWriteNow(later, 0, 1).Should().BeTrue();
        await waiting.WaitAsync(HangGuard);
    }

    [Fact]
    public async Task Waiting_for_a_turn_can_be_cancelled()
    {
        _order.Enqueue([0]);
        var later = _order.Enqueue([0]);
        using var cancellation = new CancellationTokenSource();
        var waiting = _order.WaitTurnAsync(later, 0, 1, cancellation.Token).AsTask();

        await cancellation.CancelAsync();

        await waiting.Invoking(w => w).Should().ThrowAsync<OperationCanceledException>();
    }
}
