using System.Buffers;

namespace Cascade.EventLog.Embedded;

/// <summary>
/// Keeps the appends to one topic in the order they were called, per partition, while their transactions interleave:
/// an append writes records of a partition only once every append called before it has written its records of that
/// partition. That is the order a Kafka producer keeps (a call's records are queued before it returns), and the one
/// Ingestion relies on when it queues a batch while the previous one is still being written. Appends to other
/// partitions, and to other topics, go in between, so one caller's huge batch holds the others up for one transaction
/// at a time rather than for the whole batch.
/// </summary>
internal sealed class AppendOrder(int partitions)
{
    private readonly Lock _gate = new();

    // Appends not finished yet, in call order.
    private readonly List<QueuedAppend> _queued = [];

    // Completed whenever a queued append writes or leaves; created only when an append has to wait.
    private TaskCompletionSource? _progress;

    /// <summary>Queues an append whose record <c>i</c> goes to partition <c>partitionOf[i]</c>: its place in the order is fixed here.</summary>
    public QueuedAppend Enqueue(int[] partitionOf)
    {
        // Pooled: an append of one record to a topic of 1,024 partitions would otherwise allocate 4 KB.
        var remaining = ArrayPool<int>.Shared.Rent(partitions);
        Array.Clear(remaining, 0, partitions);
        foreach (var partition in partitionOf)
        {
            remaining[partition]++;
        }
        var append = new QueuedAppend(partitionOf, remaining);
        lock (_gate)
        {
            _queued.Add(append);
        }
        return append;
    }

    /// <summary>Completes when the records <c>[from, to)</c> of the append may be written: no earlier append has records left in their partitions.</summary>
    public ValueTask WaitTurnAsync(QueuedAppend append, int from, int to, CancellationToken cancellationToken)
    {
        Task progress;
        lock (_gate)
        {
            if (MayWrite(append, from, to))
            {
                return ValueTask.CompletedTask;
            }
            progress = (_progress ??= new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
        return WaitForProgressAsync(append, from, to, progress, cancellationToken);
    }

    private async ValueTask WaitForProgressAsync(QueuedAppend append, int from, int to, Task progress, CancellationToken cancellationToken)
    {
        while (true)
        {
            await progress.WaitAsync(cancellationToken);
            lock (_gate)
            {
                if (MayWrite(append, from, to))
                {
                    return;
                }
                progress = (_progress ??= new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
        }
    }

    /// <summary>The records <c>[from, to)</c> of the append are committed.</summary>
    public void Written(QueuedAppend append, int from, int to)
    {
        TaskCompletionSource? progress;
        lock (_gate)
        {
            for (var i = from; i < to; i++)
            {
                append.Remaining[append.PartitionOf[i]]--;
            }
            (progress, _progress) = (_progress, null);
        }
        progress?.TrySetResult();
    }

    /// <summary>The append is over, written or failed part-way: appends called after it no longer wait for it.</summary>
    public void Leave(QueuedAppend append)
    {
        TaskCompletionSource? progress;
        lock (_gate)
        {
            _queued.Remove(append);
            (progress, _progress) = (_progress, null);
        }
        progress?.TrySetResult();
        // Out of the queue, so no other append reads it any more.
        ArrayPool<int>.Shared.Return(append.Remaining);
    }

    private bool MayWrite(QueuedAppend append, int from, int to)
    {
        foreach (var earlier in _queued)
        {
            if (ReferenceEquals(earlier, append))
            {
                return true;
            }
            for (var i = from; i < to; i++)
            {
                if (earlier.Remaining[append.PartitionOf[i]] > 0)
                {
                    return false;
                }
            }
        }
        throw new InvalidOperationException("The append is not queued.");
    }
}

/// <summary>An append in its topic's <see cref="AppendOrder"/>: the partition of each record, and how many records it has left per partition.</summary>
internal sealed class QueuedAppend(int[] partitionOf, int[] remaining)
{
    public int[] PartitionOf { get; } = partitionOf;

    public int[] Remaining { get; } = remaining;
}
