using System.Diagnostics;
using System.Text;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Embedded;

namespace Cascade.EventLog.Tests.Embedded;

/// <summary>
/// What the append's prepared multi-row statements must store exactly as given: keys (none, empty, non-ASCII), values
/// (empty, large, slices of a larger array), batches that end part-way through a statement, and offsets that continue
/// after another log on the same file appended.
/// </summary>
public sealed class AppendStatementsTests : IAsyncLifetime
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);
    private readonly string _directory = Directory.CreateTempSubdirectory("cascade-eventlog-statements-").FullName;
    private SqliteEventLog _log = null!;

    private EmbeddedEventLogOptions Options => new() { Path = Path.Combine(_directory, "events.db"), DefaultPartitions = 1, RetentionInterval = TimeSpan.FromHours(1) };

    public Task InitializeAsync()
    {
        _log = new SqliteEventLog(Options);
        return Task.CompletedTask;
    }

    private static async Task<List<ConsumedRecord>> ReadAll(SqliteEventLog log, string topic, int expected)
    {
        await using var consumer = log.Subscribe(new ConsumerOptions($"reader-{Guid.NewGuid():N}", [topic], MaxBatchSize: 10_000));
        var records = new List<ConsumedRecord>();
        var stopwatch = Stopwatch.StartNew();
        while (records.Count < expected && stopwatch.Elapsed < HangGuard)
        {
            records.AddRange(await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(200)));
        }
        return records;
    }

    [Fact]
    public async Task Keys_and_values_are_read_back_exactly_as_appended()
    {
        var backing = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        var large = Enumerable.Range(0, 200_000).Select(i => (byte)(i * 7)).ToArray();
        OutgoingRecord[] records =
        [
            new(null, "no key"u8.ToArray()),
            new("", "empty key"u8.ToArray()),
            new("ключ-é-🙂", "non-ASCII key"u8.ToArray()),
            new("k", ReadOnlyMemory<byte>.Empty),
            new("k", backing.AsMemory(10, 5)),
            new(new string('x', 600), large),
        ];

        await _log.AppendAsync("exact", records);

        var read = await ReadAll(_log, "exact", records.Length);
        read.Select(r => r.Key).Should().Equal(null, "", "ключ-é-🙂", "k", "k", new string('x', 600));
        read.Select(r => r.Value.Length).Should().Equal(records.Select(r => r.Value.Length));
        for (var i = 0; i < records.Length; i++)
        {
            read[i].Value.Span.SequenceEqual(records[i].Value.Span).Should().BeTrue($"record {i} comes back byte for byte");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(AppendStatements.RowsPerStatement - 1)]
    [InlineData(AppendStatements.RowsPerStatement)]
    [InlineData(AppendStatements.RowsPerStatement + 1)]
    [InlineData(3 * AppendStatements.RowsPerStatement + 5)]
    public async Task Batches_of_any_size_are_stored_whole_in_order(int size)
    {
        for (var batch = 0; batch < 3; batch++)
        {
            var positions = await _log.AppendAsync("sizes", Enumerable.Range(0, size).Select(i => new OutgoingRecord("k", Encoding.UTF8.GetBytes($"{batch}:{i}"))).ToArray());
            positions.Select(p => p.Offset).Should().Equal(Enumerable.Range(batch * size, size).Select(o => (long)o));
        }

        var read = await ReadAll(_log, "sizes", 3 * size);
        read.Select(r => Encoding.UTF8.GetString(r.Value.Span)).Should().Equal(
            Enumerable.Range(0, 3).SelectMany(batch => Enumerable.Range(0, size).Select(i => $"{batch}:{i}")));
    }

    [Fact]
    public async Task Offsets_continue_after_another_log_on_the_same_file_appended()
    {
        await _log.AppendAsync("shared", [new("k", "1"u8.ToArray())]);
        await using (var other = new SqliteEventLog(Options))
        {
            (await other.AppendAsync("shared", [new("k", "2"u8.ToArray()), new("k", "3"u8.ToArray())]))
                .Select(p => p.Offset).Should().Equal(1, 2);
        }

        var positions = await _log.AppendAsync("shared", [new("k", "4"u8.ToArray())]);

        positions.Should().ContainSingle().Which.Offset.Should().Be(3, "this log's own idea of the partition's end is stale");
        (await ReadAll(_log, "shared", 4)).Select(r => Encoding.UTF8.GetString(r.Value.Span)).Should().Equal("1", "2", "3", "4");
    }

    public async Task DisposeAsync()
    {
        await _log.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
