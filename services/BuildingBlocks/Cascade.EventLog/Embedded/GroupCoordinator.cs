using Cascade.EventLog.Abstractions;

namespace Cascade.EventLog.Embedded;

/// <summary>
/// Membership of one consumer group in this process, and Kafka's range assignment of partitions to members.
/// Every join or leave bumps the generation; members re-read their assignment (and the committed offsets of
/// partitions they gained) before their next read, so a partition whose owner left resumes from its last commit.
/// </summary>
internal sealed class GroupCoordinator
{
    private readonly Lock _gate = new();
    private readonly List<EmbeddedConsumer> _members = [];
    private Dictionary<EmbeddedConsumer, TopicPartition[]> _assignments = [];

    public int Generation { get; private set; }

    private IReadOnlyList<TopicPartition>? _partitions;

    public void Join(EmbeddedConsumer member, IReadOnlyList<TopicPartition> partitions)
    {
        lock (_gate)
        {
            if (_members.Count > 0 && !_partitions!.SequenceEqual(partitions))
            {
                throw new ArgumentException("Every member of a consumer group must subscribe to the same topics.");
            }
            _partitions = partitions;
            _members.Add(member);
            Rebalance(partitions);
        }
    }

    public void Leave(EmbeddedConsumer member, IReadOnlyList<TopicPartition> partitions)
    {
        lock (_gate)
        {
            _members.Remove(member);
            Rebalance(partitions);
        }
    }

    public (int Generation, TopicPartition[] Partitions) AssignmentOf(EmbeddedConsumer member)
    {
        lock (_gate)
        {
            return (Generation, _assignments.TryGetValue(member, out var assigned) ? assigned : []);
        }
    }

    private void Rebalance(IReadOnlyList<TopicPartition> partitions)
    {
        Generation++;
        var assignments = _members.ToDictionary(m => m, _ => new List<TopicPartition>());
        if (_members.Count > 0)
        {
            // Range assignor, per topic: contiguous partition ranges, the first members take one extra.
            foreach (var topic in partitions.GroupBy(p => p.Topic))
            {
                var ordered = topic.OrderBy(p => p.Partition).ToArray();
                var per = ordered.Length / _members.Count;
                var extra = ordered.Length % _members.Count;
                var next = 0;
                for (var i = 0; i < _members.Count; i++)
                {
                    var count = per + (i < extra ? 1 : 0);
                    assignments[_members[i]].AddRange(ordered.Skip(next).Take(count));
                    next += count;
                }
            }
        }
        _assignments = assignments.ToDictionary(a => a.Key, a => a.Value.ToArray());
    }
}
