using System.Diagnostics;
using System.Text;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Embedded;
using Xunit.Abstractions;

namespace Cascade.EventLog.Tests;

public sealed class SqliteEventLogTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);
    private readonly string _directory = Directory.CreateTempSubdirectory("cascade-eventlog-").FullName;
    private SqliteEventLog _log = null!;

    private EmbeddedEventLogOptions Options => new() { Path = Path.Combine(_directory, "events.db"), DefaultPartitions = 4, RetentionInterval = TimeSpan.FromHours(1) };

    public Task InitializeAsync()
    {
        _log = new SqliteEventLog(Options);
        return Task.CompletedTask;
    }

    private static OutgoingRecord Record(string? key, string value) => new(key, Encoding.UTF8.GetBytes(value));

    private static string Text(ConsumedRecord record) => Encoding.UTF8.GetString(record.Value.Span);

    private static async Task<List<ConsumedRecord>> Drain(IEventConsumer consumer, int expected)
    {
        var records = new List<ConsumedRecord>();
        var stopwatch = Stopwatch.StartNew();
        while (records.Count < expected && stopwatch.Elapsed < HangGuard)
        {
            records.AddRange(await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(200)));
        }
        return records;
    }

    /// <summary>Reads until a read comes back empty: for members that own only part of a topic.</summary>
    private static async Task<List<ConsumedRecord>> DrainUntilQuiet(IEventConsumer consumer)
    {
        var records = new List<ConsumedRecord>();
        while (true)
        {
            var batch = await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(300));
            if (batch.Count == 0)
            {
                return records;
            }
            records.AddRange(batch);
        }
    }

    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Murmur2_matches_kafka_s_test_vectors(string key, int expected) =>
        KafkaPartitioner.Murmur2(Encoding.UTF8.GetBytes(key)).Should().Be(expected);

    [Fact]
    public async Task Keyed_records_land_in_the_kafka_partition_of_their_key_with_consecutive_offsets()
    {
        var positions = await _log.AppendAsync("orders", [Record("device-1", "a"), Record("device-1", "b"), Record("device-2", "c")]);
        positions[0].Partition.Should().Be(KafkaPartitioner.Partition("device-1", 4));
        positions[1].Partition.Should().Be(positions[0].Partition);
        positions[1].Offset.Should().Be(positions[0].Offset + 1);
        var ends = await _log.GetEndOffsetsAsync("orders");
        ends.Values.Sum().Should().Be(3);
    }

    [Fact]
    public async Task Records_of_one_key_are_read_in_append_order()
    {
        for (var i = 0; i < 50; i++)
        {
            await _log.AppendAsync("ordered", [Record("k", i.ToString())]);
        }
        await using var consumer = _log.Subscribe(new ConsumerOptions("g", ["ordered"]));
        var records = await Drain(consumer, 50);
        records.Select(Text).Should().Equal(Enumerable.Range(0, 50).Select(i => i.ToString()));
    }

    [Fact]
    public async Task Keys_and_values_are_read_back_as_appended_whether_a_key_repeats_changes_is_empty_or_null()
    {
        // The consumer reuses the previous record's key string while the bytes match: a changed, empty or null key must still come back as written.
        string?[] keys = ["model-a", "model-a", "modèle-ü", "model-a", "", null, "", "model-b", "model-a", null];
        var appended = keys.Select((key, i) => Record(key, i % 3 == 0 ? "" : $"value-{i}")).ToArray();
        var positions = await _log.AppendAsync("keys", appended);
        await using var consumer = _log.Subscribe(new ConsumerOptions("g", ["keys"], MaxBatchSize: 3));

        var records = await Drain(consumer, keys.Length);

        records.Should().HaveCount(keys.Length);
        foreach (var record in records)
        {
            var at = positions.ToList().IndexOf(new RecordPosition("keys", record.Partition, record.Offset));
            at.Should().BeGreaterThanOrEqualTo(0);
            record.Key.Should().Be(keys[at], $"record {at} was appended with that key");
            Text(record).Should().Be(Encoding.UTF8.GetString(appended[at].Value.Span));
            record.AppendedAt.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
        }
    }

    [Fact]
    public async Task Records_a_consumer_reads_at_the_tail_from_memory_are_the_records_in_the_file()
    {
        var path = Path.Combine(_directory, "tail.db");
        var options = new EmbeddedEventLogOptions { Path = path, DefaultPartitions = 3, TailRecordsPerPartition = 64, TailBytesPerPartition = 4_096, RetentionInterval = TimeSpan.FromHours(1) };
        await using var log = new SqliteEventLog(options);
        await using var tail = log.Subscribe(new ConsumerOptions("tail", ["mixed"], MaxBatchSize: 7));
        var read = new List<ConsumedRecord>();
        for (var batch = 0; batch < 40; batch++)
        {
            // Small and large values, so the byte limit evicts too; the consumer keeps up between appends, as at the tail.
            await log.AppendAsync("mixed", Enumerable.Range(0, 1 + batch % 9).Select(i => Record(i % 4 == 0 ? null : $"k{i % 5}", new string('v', (batch * 37 + i * 101) % 900))).ToArray());
            read.AddRange(await tail.ConsumeAsync(TimeSpan.FromMilliseconds(50)));
        }
        read.AddRange(await DrainUntilQuiet(tail));

        // Another log on the file, its cache off: what it reads comes from the file only.
        await using var fromFile = new SqliteEventLog(new EmbeddedEventLogOptions { Path = path, DefaultPartitions = 3, TailRecordsPerPartition = 0, RetentionInterval = TimeSpan.FromHours(1) });
        await using var file = fromFile.Subscribe(new ConsumerOptions("file", ["mixed"]));
        var expected = await DrainUntilQuiet(file);

        expected.Should().HaveCount(Enumerable.Range(0, 40).Sum(b => 1 + b % 9));
        static object Shape(ConsumedRecord r) => new { r.Partition, r.Offset, r.Key, Value = Convert.ToBase64String(r.Value.Span), r.AppendedAt };
        read.OrderBy(r => r.Partition).ThenBy(r => r.Offset).Select(Shape)
            .Should().Equal(expected.OrderBy(r => r.Partition).ThenBy(r => r.Offset).Select(Shape));
    }

    [Fact]
    public async Task Records_another_process_appends_between_this_log_s_own_are_read_from_the_file_in_order()
    {
        var path = Path.Combine(_directory, "shared.db");
        EmbeddedEventLogOptions Shared() => new() { Path = path, DefaultPartitions = 1, RetentionInterval = TimeSpan.FromHours(1) };
        await using var mine = new SqliteEventLog(Shared());
        await using var consumer = mine.Subscribe(new ConsumerOptions("g", ["shared"], MaxBatchSize: 4));
        await mine.AppendAsync("shared", Enumerable.Range(0, 5).Select(i => Record("k", $"mine-{i}")).ToArray());
        (await Drain(consumer, 5)).Select(Text).Should().Equal(Enumerable.Range(0, 5).Select(i => $"mine-{i}"));

        await using var other = new SqliteEventLog(Shared()); // opened once the topic exists, as a second process would find it
        await other.AppendAsync("shared", Enumerable.Range(0, 5).Select(i => Record("k", $"other-{i}")).ToArray());
        await mine.AppendAsync("shared", Enumerable.Range(5, 5).Select(i => Record("k", $"mine-{i}")).ToArray());

        var rest = await Drain(consumer, 10);
        rest.Select(r => r.Offset).Should().Equal(Enumerable.Range(5, 10).Select(i => (long)i), "no offset skipped or repeated");
        rest.Select(Text).Should().Equal(Enumerable.Range(0, 5).Select(i => $"other-{i}").Concat(Enumerable.Range(5, 5).Select(i => $"mine-{i}")));
    }

    [Fact]
    public async Task A_consumer_s_lag_is_what_it_has_not_read_yet_per_partition()
    {
        await _log.AppendAsync("lagging", Enumerable.Range(0, 100).Select(i => Record($"key-{i}", i.ToString())).ToArray());
        await using var consumer = _log.Subscribe(new ConsumerOptions("slow", ["lagging"], MaxBatchSize: 10));
        var read = await consumer.ConsumeAsync(TimeSpan.FromSeconds(5));
        read.Should().HaveCount(10);

        var lag = consumer.Lag();
        lag.Keys.Should().BeEquivalentTo(consumer.Assignment, "every assigned partition, read or not");
        lag.Values.Sum().Should().Be(90);
        var ends = await _log.GetEndOffsetsAsync("lagging");
        foreach (var (partition, behind) in lag)
        {
            behind.Should().Be(ends[partition.Partition] - read.Where(r => r.Partition == partition.Partition).Select(r => r.Offset + 1).DefaultIfEmpty(0).Max());
        }
        await Drain(consumer, 90);
        consumer.Lag().Values.Should().AllBeEquivalentTo(0L);
    }

    [Fact]
    public async Task Every_group_sees_every_record_and_members_of_a_group_share_the_partitions()
    {
        await _log.AppendAsync("shared", Enumerable.Range(0, 200).Select(i => Record($"key-{i}", i.ToString())).ToArray());
        await using var other = _log.Subscribe(new ConsumerOptions("other", ["shared"]));
        await using var first = _log.Subscribe(new ConsumerOptions("group", ["shared"]));
        await using var second = _log.Subscribe(new ConsumerOptions("group", ["shared"]));

        (await Drain(other, 200)).Should().HaveCount(200);
        var a = await DrainUntilQuiet(first);
        var b = await DrainUntilQuiet(second);
        first.Assignment.Should().HaveCount(2);
        second.Assignment.Should().HaveCount(2);
        first.Assignment.Should().NotIntersectWith(second.Assignment);
        a.Concat(b).Select(Text).Should().BeEquivalentTo(Enumerable.Range(0, 200).Select(i => i.ToString()));
    }

    [Fact]
    public async Task A_batch_shares_its_room_between_partitions_so_none_starves_behind_a_busy_one()
    {
        // Every partition holds far more than one batch: a consumer filling its batch from partition 0 onwards
        // would not read partition 3 until the others ran dry (the demo's last-partition entities had no features).
        var records = Enumerable.Range(0, 4_000).Select(i => Record($"key-{i % 97}", $"r{i}")).ToArray();
        await _log.AppendAsync("busy", records);
        await using var consumer = _log.Subscribe(new ConsumerOptions("fair", ["busy"], MaxBatchSize: 100));

        var seen = new List<ConsumedRecord>();
        for (var i = 0; i < 4; i++)
        {
            var batch = await consumer.ConsumeAsync(TimeSpan.FromSeconds(5));
            batch.Should().HaveCount(100);
            seen.AddRange(batch);
        }

        seen.GroupBy(r => r.Partition).Select(g => g.Key).Should().BeEquivalentTo([0, 1, 2, 3]);
        seen.GroupBy(r => r.Partition).Should().OnlyContain(g => g.Count() == 100);
        foreach (var partition in seen.GroupBy(r => r.Partition))
        {
            partition.Select(r => r.Offset).Should().Equal(Enumerable.Range(0, 100).Select(o => (long)o), "a partition is read in order, without gaps");
        }
    }

    [Fact]
    public async Task Room_a_partition_leaves_unused_goes_to_the_others()
    {
        await _log.CreateTopicAsync("uneven", 4);
        var keyOf = Enumerable.Range(0, 1_000).Select(i => $"k{i}").First(k => KafkaPartitioner.Partition(k, 4) == 0);
        await _log.AppendAsync("uneven", Enumerable.Range(0, 300).Select(i => Record(keyOf, $"r{i}")).ToArray());
        await using var consumer = _log.Subscribe(new ConsumerOptions("uneven-group", ["uneven"], MaxBatchSize: 100));

        var batch = await consumer.ConsumeAsync(TimeSpan.FromSeconds(5));

        batch.Should().HaveCount(100).And.OnlyContain(r => r.Partition == 0);
        batch.Select(r => r.Offset).Should().Equal(Enumerable.Range(0, 100).Select(o => (long)o));
    }

    [Fact]
    public async Task Records_a_member_read_without_committing_are_redelivered_after_it_leaves()
    {
        await _log.CreateTopicAsync("jobs", 1);
        await _log.AppendAsync("jobs", [Record("k", "1"), Record("k", "2"), Record("k", "3")]);
        var crashed = _log.Subscribe(new ConsumerOptions("workers", ["jobs"]));
        var first = await Drain(crashed, 3);
        await crashed.CommitAsync([first[0]]);
        await crashed.DisposeAsync(); // leaves without committing records 2 and 3

        await using var survivor = _log.Subscribe(new ConsumerOptions("workers", ["jobs"]));
        (await Drain(survivor, 2)).Select(Text).Should().Equal("2", "3");
    }

    [Fact]
    public async Task Committed_offsets_and_records_survive_a_restart()
    {
        await _log.AppendAsync("durable", Enumerable.Range(0, 10).Select(i => Record("k", i.ToString())).ToArray());
        await using (var consumer = _log.Subscribe(new ConsumerOptions("g", ["durable"])))
        {
            var records = await Drain(consumer, 10);
            await consumer.CommitAsync(records.Take(6).ToArray());
        }
        await _log.DisposeAsync();

        _log = new SqliteEventLog(Options);
        var positions = await _log.AppendAsync("durable", [Record("k", "10")]);
        positions[0].Offset.Should().Be(10, "offsets continue after a restart");
        await using var resumed = _log.Subscribe(new ConsumerOptions("g", ["durable"]));
        (await Drain(resumed, 5)).Select(Text).Should().Equal("6", "7", "8", "9", "10");
    }

    [Fact]
    public async Task A_waiting_consumer_wakes_when_a_record_is_appended()
    {
        await using var consumer = _log.Subscribe(new ConsumerOptions("g", ["wake"]));
        (await consumer.ConsumeAsync(TimeSpan.Zero)).Should().BeEmpty();
        await _log.AppendAsync("wake", [Record("k", "warm-up")]);
        (await consumer.ConsumeAsync(HangGuard)).Should().ContainSingle();
        var latencies = new List<double>();
        for (var i = 0; i < 50; i++)
        {
            var waiting = consumer.ConsumeAsync(HangGuard).AsTask();
            await Task.Delay(5);
            var appended = Stopwatch.GetTimestamp();
            await _log.AppendAsync("wake", [Record("k", i.ToString())]);
            var records = await waiting.WaitAsync(HangGuard);
            latencies.Add(Stopwatch.GetElapsedTime(appended).TotalMilliseconds);
            records.Select(Text).Should().Equal(i.ToString());
        }
        latencies.Sort();
        output.WriteLine($"append→consumer wake-up: p50 {latencies[25]:F2} ms, p99 {latencies[49]:F2} ms (50 samples)");
    }

    [Fact]
    public async Task Retention_drops_old_records_and_a_consumer_resumes_at_the_earliest_remaining()
    {
        await _log.DisposeAsync();
        _log = new SqliteEventLog(new EmbeddedEventLogOptions { Path = Path.Combine(_directory, "retained.db"), DefaultPartitions = 1, RetentionRecordsPerPartition = 3, RetentionInterval = TimeSpan.FromHours(1) });
        await _log.AppendAsync("retained", Enumerable.Range(0, 10).Select(i => Record("k", i.ToString())).ToArray());
        await _log.ApplyRetentionAsync(CancellationToken.None);
        await using var consumer = _log.Subscribe(new ConsumerOptions("late", ["retained"]));
        (await Drain(consumer, 3)).Select(Text).Should().Equal("7", "8", "9");
        (await _log.GetEndOffsetsAsync("retained"))[0].Should().Be(10, "offsets are never reused after deletion");
    }

    [Fact]
    public async Task Concurrent_appenders_lose_and_duplicate_nothing()
    {
        await Task.WhenAll(Enumerable.Range(0, 8).Select(writer => Task.Run(async () =>
        {
            for (var batch = 0; batch < 25; batch++)
            {
                await _log.AppendAsync("busy", Enumerable.Range(0, 10).Select(i => Record($"w{writer}-{i}", $"{writer}:{batch}:{i}")).ToArray());
            }
        })));
        await using var consumer = _log.Subscribe(new ConsumerOptions("g", ["busy"], MaxBatchSize: 1000));
        var records = await Drain(consumer, 2000);
        records.Select(Text).Should().OnlyHaveUniqueItems().And.HaveCount(2000);
        records.GroupBy(r => r.Partition).Should().AllSatisfy(g => g.Select(r => r.Offset).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems());
    }

    [Fact]
    public async Task Batch_append_throughput_is_reported()
    {
        var batch = Enumerable.Range(0, 1000).Select(i => new OutgoingRecord($"entity-{i % 500}", new byte[200])).ToArray();
        await _log.AppendAsync("throughput", batch);
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < 50; i++)
        {
            await _log.AppendAsync("throughput", batch);
        }
        output.WriteLine($"batch append: {50_000 / stopwatch.Elapsed.TotalSeconds:N0} records/s (batches of 1,000 × 200 bytes)");
        (await _log.GetEndOffsetsAsync("throughput")).Values.Sum().Should().Be(51_000);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("slash/name")]
    [InlineData("..")]
    public async Task Invalid_topic_names_are_refused(string topic)
    {
        var act = () => _log.AppendAsync(topic, [Record("k", "v")]);
        await act.Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task Recreating_a_topic_with_another_partition_count_is_refused()
    {
        await _log.CreateTopicAsync("fixed", 2);
        await _log.CreateTopicAsync("fixed", 2);
        var act = () => _log.CreateTopicAsync("fixed", 3);
        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*exists with 2 partitions*");
    }

    public async Task DisposeAsync()
    {
        await _log.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
