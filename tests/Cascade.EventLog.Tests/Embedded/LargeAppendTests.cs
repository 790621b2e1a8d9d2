using System.Text;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Embedded;

namespace Cascade.EventLog.Tests.Embedded;

/// <summary>
/// A batch larger than one transaction (the fuzz campaign's huge repeated fields): other callers' appends go in between
/// its transactions, while appends called after it keep their place behind it in the partitions they share. The
/// log's <see cref="SqliteEventLog.TransactionCommitted"/> holds the large append between two transactions, so the
/// order of events is fixed by the test and not by timing.
/// </summary>
public sealed class LargeAppendTests : IAsyncLifetime
{
    private const int PerTransaction = 100;
    private const int Large = 1_000;
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);
    private readonly string _directory = Directory.CreateTempSubdirectory("cascade-eventlog-large-").FullName;
    private SqliteEventLog _log = null!;

    public Task InitializeAsync()
    {
        _log = new SqliteEventLog(new EmbeddedEventLogOptions
        {
            Path = Path.Combine(_directory, "events.db"), DefaultPartitions = 4, RetentionInterval = TimeSpan.FromHours(1), MaxRecordsPerTransaction = PerTransaction,
        });
        return Task.CompletedTask;
    }

    private static OutgoingRecord Record(string? key, string value) => new(key, Encoding.UTF8.GetBytes(value));

    /// <summary>A key of the given partition (of 4).</summary>
    private static string KeyIn(int partition, string prefix = "k") =>
        Enumerable.Range(0, 1_000).Select(i => $"{prefix}{i}").First(k => KafkaPartitioner.Partition(k, 4) == partition);

    private static OutgoingRecord[] LargeBatch(string key) => Enumerable.Range(0, Large).Select(i => Record(key, $"large-{i}")).ToArray();

    private async Task<long> RecordsIn(string topic) => (await _log.GetEndOffsetsAsync(topic)).Values.Sum();

    /// <summary>Runs <paramref name="action"/> once, after the first transaction of the append to <paramref name="topic"/> commits.</summary>
    private void AfterFirstTransactionOf(string topic, Func<Task> action)
    {
        var done = false;
        _log.TransactionCommitted = async (committed, _, _) =>
        {
            if (committed != topic || done) return;
            done = true;
            await action();
        };
    }

    [Fact]
    public async Task An_append_to_another_topic_is_written_between_the_transactions_of_a_large_one()
    {
        await _log.CreateTopicAsync("flood", 4);
        IReadOnlyList<RecordPosition>? small = null;
        var floodWhenSmallWasWritten = -1L;
        AfterFirstTransactionOf("flood", async () =>
        {
            small = await _log.AppendAsync("other", [Record("k", "small")]).WaitAsync(HangGuard);
            floodWhenSmallWasWritten = await RecordsIn("flood");
        });

        var large = await _log.AppendAsync("flood", LargeBatch(KeyIn(0))).WaitAsync(HangGuard);

        small.Should().ContainSingle();
        floodWhenSmallWasWritten.Should().Be(PerTransaction, "the small append had the writer after the large one's first transaction, not after all of it");
        large.Select(p => p.Offset).Should().Equal(Enumerable.Range(0, Large).Select(o => (long)o), "the large append's records are dense and in order");
    }

    [Fact]
    public async Task An_append_to_another_partition_of_the_topic_is_written_between_the_transactions_of_a_large_one()
    {
        await _log.CreateTopicAsync("flood", 4);
        IReadOnlyList<RecordPosition>? small = null;
        var floodWhenSmallWasWritten = -1L;
        AfterFirstTransactionOf("flood", async () =>
        {
            small = await _log.AppendAsync("flood", [Record(KeyIn(2), "small")]).WaitAsync(HangGuard);
            floodWhenSmallWasWritten = await RecordsIn("flood");
        });

        await _log.AppendAsync("flood", LargeBatch(KeyIn(0))).WaitAsync(HangGuard);

        small.Should().ContainSingle().Which.Should().Be(new RecordPosition("flood", 2, 0));
        floodWhenSmallWasWritten.Should().Be(PerTransaction + 1);
    }

    [Fact]
    public async Task An_append_called_after_a_large_one_lands_after_all_of_it_in_the_partition_they_share()
    {
        await _log.CreateTopicAsync("flood", 4);
        var key = KeyIn(1);
        Task<IReadOnlyList<RecordPosition>>? later = null;
        // Called while the large append is part-way: it must not take the partition's next offset in between.
        AfterFirstTransactionOf("flood", () =>
        {
            later = _log.AppendAsync("flood", [Record(key, "later")]);
            return Task.CompletedTask;
        });

        var large = await _log.AppendAsync("flood", LargeBatch(key)).WaitAsync(HangGuard);
        var positions = await later!.WaitAsync(HangGuard);

        positions.Should().ContainSingle().Which.Should().Be(new RecordPosition("flood", 1, Large));
        large[^1].Offset.Should().Be(Large - 1);
    }

    [Fact]
    public async Task A_large_append_cancelled_after_its_first_transaction_is_written_whole()
    {
        using var cancellation = new CancellationTokenSource();
        AfterFirstTransactionOf("flood", () => cancellation.CancelAsync());

        var positions = await _log.AppendAsync("flood", LargeBatch("k"), cancellation.Token).WaitAsync(HangGuard);

        positions.Should().HaveCount(Large);
        (await RecordsIn("flood")).Should().Be(Large, "a cancelled call leaves all of its batch or nothing, never a part");
    }

    [Fact]
    public async Task A_large_append_cancelled_before_it_starts_writes_nothing()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        var append = () => _log.AppendAsync("flood", LargeBatch("k"), cancellation.Token);

        await append.Should().ThrowAsync<OperationCanceledException>();
        (await RecordsIn("flood")).Should().Be(0);
    }

    [Fact]
    public async Task A_large_append_the_log_is_disposed_under_fails_instead_of_waiting_forever()
    {
        AfterFirstTransactionOf("flood", async () => await _log.DisposeAsync());

        var append = () => _log.AppendAsync("flood", LargeBatch("k")).WaitAsync(HangGuard);

        await append.Should().ThrowAsync<ObjectDisposedException>();
    }

    [Fact]
    public async Task Consumers_read_a_large_append_whole_and_in_order()
    {
        await _log.CreateTopicAsync("flood", 4);
        var records = Enumerable.Range(0, 2_500).Select(i => Record($"entity-{i % 13}", $"r{i}")).ToArray();

        await _log.AppendAsync("flood", records).WaitAsync(HangGuard);

        await using var consumer = _log.Subscribe(new ConsumerOptions("readers", ["flood"], MaxBatchSize: 10_000));
        var read = new List<ConsumedRecord>();
        while (read.Count < records.Length)
        {
            var batch = await consumer.ConsumeAsync(HangGuard);
            batch.Should().NotBeEmpty();
            read.AddRange(batch);
        }
        read.Select(r => Encoding.UTF8.GetString(r.Value.Span)).Order(StringComparer.Ordinal).Should().Equal(
            records.Select(r => Encoding.UTF8.GetString(r.Value.Span)).Order(StringComparer.Ordinal));
        foreach (var key in read.GroupBy(r => r.Key))
        {
            key.Select(r => int.Parse(Encoding.UTF8.GetString(r.Value.Span)[1..])).Should().BeInAscendingOrder("a key's records keep the batch's order");
        }
        foreach (var partition in read.GroupBy(r => r.Partition))
        {
            partition.Select(r => r.Offset).Should().Equal(Enumerable.Range(0, partition.Count()).Select(o => (long)o));
        }
    }

    public async Task DisposeAsync()
    {
        await _log.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
