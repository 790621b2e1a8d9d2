using System.Diagnostics;
using System.Text;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Kafka;

namespace Cascade.Infrastructure.Tests;

/// <summary>The Kafka adapter against the local Kafka 0.9 broker: the same semantics the embedded log's tests check.</summary>
public sealed class KafkaEventLogTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly KafkaEventLog _log = new(new KafkaEventLogOptions { BootstrapServers = Servers.Kafka });
    private readonly string _topic = Servers.Unique("kafka-test");

    public async Task InitializeAsync() => await _log.CreateTopicAsync(_topic, 4);

    private static OutgoingRecord Record(string key, string value) => new(key, Encoding.UTF8.GetBytes(value));

    private static string Text(ConsumedRecord record) => Encoding.UTF8.GetString(record.Value.Span);

    private static async Task<List<ConsumedRecord>> Drain(IEventConsumer consumer, int expected)
    {
        var records = new List<ConsumedRecord>();
        var stopwatch = Stopwatch.StartNew();
        while (records.Count < expected && stopwatch.Elapsed < Patience)
        {
            records.AddRange(await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(500)));
        }
        return records;
    }

    [Fact]
    public async Task A_consumer_s_lag_counts_what_it_has_not_read_also_on_partitions_it_has_not_read_from()
    {
        await _log.AppendAsync(_topic, Enumerable.Range(0, 100).Select(i => Record($"key-{i}", $"r{i}")).ToArray());
        await using var consumer = _log.Subscribe(new ConsumerOptions(Servers.Unique("lag"), [_topic], MaxBatchSize: 10));
        var read = await Drain(consumer, 10);
        read.Should().HaveCount(10);

        // The high watermarks arrive with the fetches librdkafka makes in the background.
        var lag = await Eventually.WaitForAsync(() => Task.FromResult(consumer.Lag()), l => l.Values.Sum() == 90, "the lag counts the 90 records not read", Patience, TimeSpan.FromMilliseconds(100));
        lag.Should().HaveCount(4, "all 4 partitions, read from or not");
        lag.Values.Sum().Should().Be(90);

        await Drain(consumer, 90);
        await Eventually.WaitUntilAsync(() => consumer.Lag().Values.Sum() == 0, "the lag is 0 once every record was read", Patience, TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Keyed_records_land_in_the_murmur2_partition_of_their_key_in_order()
    {
        var records = Enumerable.Range(0, 200).Select(i => Record($"key-{i % 7}", $"r{i}")).ToArray();

        var positions = await _log.AppendAsync(_topic, records);

        for (var i = 0; i < records.Length; i++)
        {
            positions[i].Partition.Should().Be(KafkaPartitioner.Partition(records[i].Key!, 4), "Kafka's Java client, librdkafka's murmur2 and the embedded log agree on partitions");
        }
        var ends = await _log.GetEndOffsetsAsync(_topic);
        ends.Values.Sum().Should().Be(200);
        await using var consumer = _log.Subscribe(new ConsumerOptions(Servers.Unique("order"), [_topic]));
        var consumed = await Drain(consumer, 200);
        foreach (var key in consumed.GroupBy(r => r.Key))
        {
            key.Select(Text).Should().Equal(records.Where(r => r.Key == key.Key).Select(r => Encoding.UTF8.GetString(r.Value.Span)), "records of one key are read in append order");
        }
    }

    [Fact]
    public async Task Records_read_but_not_committed_are_delivered_again_to_the_next_member()
    {
        await _log.AppendAsync(_topic, Enumerable.Range(0, 40).Select(i => Record($"k{i}", $"r{i}")).ToArray());
        var group = Servers.Unique("redeliver");

        await using (var crashed = _log.Subscribe(new ConsumerOptions(group, [_topic])))
        {
            (await Drain(crashed, 40)).Should().HaveCount(40);
            // no commit: the member "crashes" after processing
        }
        await using var next = _log.Subscribe(new ConsumerOptions(group, [_topic]));
        (await Drain(next, 40)).Select(Text).Should().BeEquivalentTo(Enumerable.Range(0, 40).Select(i => $"r{i}"));
    }

    [Fact]
    public async Task A_member_resumes_after_what_its_group_committed()
    {
        await _log.AppendAsync(_topic, Enumerable.Range(0, 30).Select(i => Record($"k{i}", $"first-{i}")).ToArray());
        var group = Servers.Unique("commit");
        await using (var first = _log.Subscribe(new ConsumerOptions(group, [_topic])))
        {
            var read = await Drain(first, 30);
            await first.CommitAsync(read);
        }
        await _log.AppendAsync(_topic, Enumerable.Range(0, 10).Select(i => Record($"k{i}", $"second-{i}")).ToArray());

        await using var second = _log.Subscribe(new ConsumerOptions(group, [_topic]));
        var rest = await Drain(second, 10);
        rest.Select(Text).Should().OnlyContain(t => t.StartsWith("second-")).And.HaveCount(10);
    }

    [Fact]
    public async Task Members_of_a_group_share_the_partitions_and_each_record_is_read_once()
    {
        var group = Servers.Unique("share");
        await using var a = _log.Subscribe(new ConsumerOptions(group, [_topic]));
        await using var b = _log.Subscribe(new ConsumerOptions(group, [_topic]));
        // Both members must have joined before the records arrive (a rebalance takes a few seconds on 0.9).
        var stopwatch = Stopwatch.StartNew();
        while ((a.Assignment.Count == 0 || b.Assignment.Count == 0) && stopwatch.Elapsed < Patience)
        {
            await a.ConsumeAsync(TimeSpan.FromMilliseconds(200));
            await b.ConsumeAsync(TimeSpan.FromMilliseconds(200));
        }
        a.Assignment.Should().NotBeEmpty();
        b.Assignment.Should().NotBeEmpty();
        a.Assignment.Intersect(b.Assignment).Should().BeEmpty();

        await _log.AppendAsync(_topic, Enumerable.Range(0, 100).Select(i => Record($"k{i}", $"r{i}")).ToArray());
        var seen = new List<ConsumedRecord>();
        stopwatch.Restart();
        while (seen.Count < 100 && stopwatch.Elapsed < Patience)
        {
            seen.AddRange(await a.ConsumeAsync(TimeSpan.FromMilliseconds(200)));
            seen.AddRange(await b.ConsumeAsync(TimeSpan.FromMilliseconds(200)));
        }
        seen.Select(Text).Should().OnlyHaveUniqueItems().And.HaveCount(100);
    }

    [Fact]
    public async Task A_topic_with_another_partition_count_is_refused_with_what_to_do()
    {
        var act = () => _log.CreateTopicAsync(_topic, 12);
        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("kafka-topics --create");
    }

    [Fact]
    public async Task Deployments_in_different_namespaces_share_a_cluster_without_seeing_each_other()
    {
        await using var blue = new KafkaEventLog(new KafkaEventLogOptions { BootstrapServers = Servers.Kafka, Namespace = Servers.Unique("blue") });
        await using var green = new KafkaEventLog(new KafkaEventLogOptions { BootstrapServers = Servers.Kafka, Namespace = Servers.Unique("green") });
        await blue.AppendAsync("shared.topic", [Record("k", "blue")]);
        await green.AppendAsync("shared.topic", [Record("k", "green")]);

        await using var reader = green.Subscribe(new ConsumerOptions("reader", ["shared.topic"]));
        var read = await Drain(reader, 1);
        // Blue's record would come with the next fetch: a consume that waits for one more record finds none.
        read.AddRange(await reader.ConsumeAsync(TimeSpan.FromSeconds(1)));

        read.Select(Text).Should().Equal("green");
        read[0].Topic.Should().Be("shared.topic", "consumers see logical topic names");
        (await green.GetEndOffsetsAsync("shared.topic")).Values.Sum().Should().Be(1);
    }

    public async Task DisposeAsync() => await _log.DisposeAsync();
}
