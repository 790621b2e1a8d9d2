using Cascade.EventLog.Abstractions;

namespace Cascade.EventLog.Embedded;

/// <summary>
/// The records this log committed last, per partition, in memory: a consumer reading at the tail (where every
/// consumer of a busy topic is) gets them from here instead of reading back from SQLite what was just written.
/// </summary>
/// <remarks>
/// Why: in the all-in-one host Monitoring reads every logged prediction; from the file each one cost a b-tree seek,
/// pages copied out of the WAL by <c>pread</c>, and a copy of its value (docs/performance.md). Kafka serves tail reads
/// from the page cache for the same reason. A partition's cached records are always consecutive offsets: a record
/// that does not follow the last (another process wrote in between) starts the partition's cache afresh, so
/// whatever is not cached is read from the file as before. Values are copied once on append and shared by every
/// consumer. Retention empties the cache (a deleted record must not be delivered from memory). Thread-safe.
/// </remarks>
internal sealed class TailCache(int recordsPerPartition, int bytesPerPartition)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Topic, int Partition), PartitionTail> _tails = [];

    public bool Enabled => recordsPerPartition > 0;

    /// <summary>Adds committed records <c>[from, to)</c> at their <paramref name="positions"/>; call in commit order.</summary>
    public void Add(string topic, IReadOnlyList<OutgoingRecord> records, RecordPosition[] positions, int from, int to, long appendedAtMs)
    {
        if (!Enabled) return;
        var appendedAt = DateTimeOffset.FromUnixTimeMilliseconds(appendedAtMs);
        lock (_gate)
        {
            // A batch's records mostly share a partition (Serving keys its predictions by model): look the tail up once per run of them.
            PartitionTail? tail = null;
            var tailPartition = -1;
            for (var i = from; i < to; i++)
            {
                var (_, partition, offset) = positions[i];
                if (partition != tailPartition)
                {
                    if (!_tails.TryGetValue((topic, partition), out tail)) _tails[(topic, partition)] = tail = new PartitionTail(recordsPerPartition);
                    tailPartition = partition;
                }
                var record = records[i];
                tail!.Add(offset, new Cached(record.Key, record.Value.ToArray(), appendedAt), bytesPerPartition);
            }
        }
    }

    /// <summary>
    /// Adds to <paramref name="into"/> at most <paramref name="limit"/> cached records of the partition from offset
    /// <paramref name="from"/> on and returns how many; −1 when the record at <paramref name="from"/> is not cached
    /// (read the file).
    /// </summary>
    public int Read(string topic, int partition, long from, int limit, List<ConsumedRecord> into, out long last)
    {
        last = from - 1;
        if (!Enabled) return -1;
        lock (_gate)
        {
            if (!_tails.TryGetValue((topic, partition), out var tail) || from < tail.Start || from >= tail.End) return -1;
            var read = (int)Math.Min(limit, tail.End - from);
            for (var k = 0; k < read; k++)
            {
                var cached = tail.At(from + k);
                into.Add(new ConsumedRecord(topic, partition, from + k, cached.Key, cached.Value, cached.AppendedAt));
            }
            last = from + read - 1;
            return read;
        }
    }

    /// <summary>Forgets every cached record (retention deleted some from the file).</summary>
    public void Clear()
    {
        lock (_gate) _tails.Clear();
    }

    private readonly record struct Cached(string? Key, byte[] Value, DateTimeOffset AppendedAt);

    /// <summary>A ring of one partition's last records, consecutive offsets from <see cref="Start"/>.</summary>
    private sealed class PartitionTail(int capacity)
    {
        private readonly Cached[] _ring = new Cached[capacity];
        private int _first; // ring index of Start
        private int _count;
        private long _bytes;

        public long Start { get; private set; }

        public long End => Start + _count;

        public Cached At(long offset) => _ring[(int)((_first + (offset - Start)) % _ring.Length)];

        public void Add(long offset, Cached record, int maxBytes)
        {
            if (_count > 0 && offset != End) Reset();
            if (record.Value.Length > maxBytes)
            {
                // Too large to keep: the partition's cache starts again after it, and it is read from the file.
                Reset();
                Start = offset + 1;
                return;
            }
            while (_count > 0 && (_count == _ring.Length || _bytes + record.Value.Length > maxBytes)) DropFirst();
            if (_count == 0) Start = offset;
            _ring[(_first + _count) % _ring.Length] = record;
            _count++;
            _bytes += record.Value.Length;
        }

        private void DropFirst()
        {
            _bytes -= _ring[_first].Value.Length;
            _ring[_first] = default;
            _first = (_first + 1) % _ring.Length;
            _count--;
            Start++;
        }

        private void Reset()
        {
            Array.Clear(_ring);
            (_first, _count, _bytes) = (0, 0, 0);
        }
    }
}
