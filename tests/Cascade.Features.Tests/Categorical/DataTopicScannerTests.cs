using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Embedded;
using Cascade.Features.Erasure;
using Cascade.Features.Options;
using Cascade.Features.Storage;
using Cascade.Features.Vocabulary;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Value = Cascade.Contracts.Common.V1.Value;

namespace Cascade.Features.Tests.Categorical;

/// <summary>The scan behind <c>top_k</c>: from the beginning of the data topic, bounded by its record limit, poison records skipped, committing nothing.</summary>
public sealed class DataTopicScannerTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-scan-").FullName;
    private SqliteEventLog _log = null!;
    private FeatureStateStore _states = null!;
    private EntityErasures _erasures = null!;

    public async Task InitializeAsync()
    {
        _log = new SqliteEventLog(new EmbeddedEventLogOptions { Path = Path.Combine(_data, "events.db"), DefaultPartitions = 3 });
        _states = new FeatureStateStore(Path.Combine(_data, "features.db"));
        _erasures = new EntityErasures(_states);
        var records = Enumerable.Range(0, 30).Select(i => new OutgoingRecord($"e{i % 5}", EventEnvelopes.Wrap(new DataRecord
        {
            Dataset = "d", RecordId = $"r{i}", EntityId = $"e{i % 5}", EventTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(i)),
            Values = { ["city"] = new Value { StringValue = i % 3 == 0 ? "paris" : "lyon" } },
        }, $"e{i % 5}", "test").ToByteArray())).Append(new OutgoingRecord("e0", new byte[] { 1, 2, 3 })).ToArray();
        await _log.AppendAsync(Topics.Data("d"), records);
    }

    public async Task DisposeAsync()
    {
        await _log.DisposeAsync();
        _states.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    private DataTopicScanner Scanner() => new(_log, new VocabularyOptions { Timeout = TimeSpan.FromSeconds(30) }, _erasures);

    [Fact]
    public async Task The_records_of_an_erased_entity_are_not_counted_but_its_later_ones_are()
    {
        // e0 has records 0, 5, …, 25: six, two of them "paris" (0 and 15).
        _erasures.Record("d", "e0", await _log.GetEndOffsetsAsync(Topics.Data("d")), DateTimeOffset.UtcNow);
        await _log.AppendAsync(Topics.Data("d"), [new OutgoingRecord("e0", EventEnvelopes.Wrap(new DataRecord
        {
            Dataset = "d", RecordId = "after", EntityId = "e0", EventTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch),
            Values = { ["city"] = new Value { StringValue = "nice" } },
        }, "e0", "test").ToByteArray())]);

        var scan = await Scanner().ScanAsync("d", ["city"], maxRecords: 1000, CancellationToken.None);

        scan.Counts("city").Present.Should().Be(25, "24 records of the other entities and e0's record since its erasure");
        scan.Counts("city").Top(3).Should().Contain("nice");
    }

    [Fact]
    public async Task The_whole_topic_is_read_and_a_poison_record_is_skipped()
    {
        var scan = await Scanner().ScanAsync("d", ["city"], maxRecords: 1000, CancellationToken.None);

        scan.Records.Should().Be(30);
        scan.Unreadable.Should().Be(1);
        scan.Truncated.Should().BeFalse();
        scan.Counts("city").Top(2).Should().Equal("lyon", "paris");
        scan.Counts("city").Present.Should().Be(30);
    }

    [Fact]
    public async Task The_record_limit_bounds_the_scan()
    {
        var scan = await Scanner().ScanAsync("d", ["city"], maxRecords: 7, CancellationToken.None);

        (scan.Records + scan.Unreadable).Should().Be(7);
        scan.Truncated.Should().BeTrue();
    }

    [Fact]
    public async Task A_dataset_without_records_is_read_at_once_and_a_scan_commits_nothing()
    {
        var empty = await Scanner().ScanAsync("nothing-yet", ["city"], 1000, CancellationToken.None);
        empty.Records.Should().Be(0);
        (await _log.GetEndOffsetsAsync(Topics.Data("nothing-yet"))).Should().BeEmpty("a scan creates no topic");

        await Scanner().ScanAsync("d", ["city"], 1000, CancellationToken.None);
        (await Scanner().ScanAsync("d", ["city"], 1000, CancellationToken.None)).Records.Should().Be(30, "each scan reads from the beginning: nothing was committed");
    }
}
