using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Embedded;
using Cascade.EventLog.Handlers;

namespace Cascade.EventLog.Tests.Handlers;

/// <summary>The event-handler host on the embedded log: retries, dead letters, commits, health and metrics.</summary>
public sealed class EventHandlerRunnerTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly string _directory = Directory.CreateTempSubdirectory("cascade-handlers-").FullName;
    private readonly string _topic = $"test.{Guid.NewGuid():N}";
    private readonly string _group = $"group-{Guid.NewGuid():N}";
    private readonly ConsumerHealth _health = new();
    private readonly ConcurrentQueue<ConsumerStatus> _changes = new();
    private readonly MetricsProbe _metrics = new();
    private SqliteEventLog _log = null!;

    public async Task InitializeAsync()
    {
        _log = new SqliteEventLog(new EmbeddedEventLogOptions { Path = Path.Combine(_directory, "events.db"), DefaultPartitions = 1, RetentionInterval = TimeSpan.FromHours(1) });
        await _log.CreateTopicAsync(_topic, 1);
        _health.Changed += (_, status) => _changes.Enqueue(status);
    }

    public async Task DisposeAsync()
    {
        _metrics.Dispose();
        await _log.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private EventHandlerOptions Options(bool commits = true) => new()
    {
        Subscription = new ConsumerOptions(_group, [_topic]),
        PollInterval = TimeSpan.FromMilliseconds(100),
        InitialBackoff = TimeSpan.FromMilliseconds(10),
        MaxBackoff = TimeSpan.FromMilliseconds(50),
        Commits = commits,
    };

    /// <summary>The group's committed offset on the test topic, read from the log's file beside the log's own connection.</summary>
    private long CommittedOffset()
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_directory, "events.db")};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(offset), 0) FROM group_offsets WHERE group_id = $g AND topic = $t";
        command.Parameters.AddWithValue("$g", _group);
        command.Parameters.AddWithValue("$t", _topic);
        return (long)command.ExecuteScalar()!;
    }

    private Task AppendAsync(params string[] values) => _log.AppendAsync(_topic, values.Select(v => new OutgoingRecord("k", Encoding.UTF8.GetBytes(v))).ToArray());

    private async Task<List<DeadLettered>> DeadLettersAsync(int atLeast)
    {
        await using var consumer = _log.Subscribe(new ConsumerOptions($"reader-{Guid.NewGuid():N}", [EventHandlerRunner.DeadLetterTopic]));
        var letters = new List<DeadLettered>();
        var stopwatch = Stopwatch.StartNew();
        while (letters.Count < atLeast && stopwatch.Elapsed < Deadline)
        {
            foreach (var record in await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(100)))
            {
                if (record.Key != _group) continue;
                letters.Add(EventEnvelopes.Unwrap(EventEnvelope.Parser.ParseFrom(record.Value.Span), DeadLettered.Parser));
            }
        }
        return letters;
    }

    [Fact]
    public async Task A_poison_record_is_dead_lettered_counted_and_committed_past_and_the_loop_goes_on()
    {
        var handler = new ScriptedHandler(Options(), fail: value => value == "poison");
        await AppendAsync("a", "poison", "b");
        using var stop = new CancellationTokenSource();
        var run = new EventHandlerRunner(_log, _health).RunAsync(handler, stop.Token);

        await Eventually.WaitUntilAsync(() => handler.Done.Contains("a") && handler.Done.Contains("b"), "the records around the poison are handled", Deadline);
        var letter = (await DeadLettersAsync(1)).Should().ContainSingle().Subject;
        letter.GroupId.Should().Be(_group);
        letter.Topic.Should().Be(_topic);
        letter.Partition.Should().Be(0);
        letter.Offset.Should().Be(1);
        letter.Value.ToStringUtf8().Should().Be("poison", "the original bytes travel with the letter");
        letter.Error.Should().Contain("poison");
        letter.ErrorType.Should().Be(typeof(InvalidDataException).FullName);
        letter.Attempts.Should().Be(3);
        _metrics.Sum("cascade.eventlog.dead_lettered", _group).Should().Be(1);
        _metrics.Sum("cascade.eventlog.handler.failures", _group).Should().Be(6, "3 attempts at the batch, then 3 at the poison record");
        await Eventually.WaitUntilAsync(() => _changes.Any(c => !c.Stuck), "the group reports it recovered", Deadline);
        _changes.Should().Contain(c => c.Stuck && c.GroupId == _group, "health reported the group stuck while it retried");
        _health.AnyStuck.Should().BeFalse();

        // A handler exception never ends the loop: it still follows new records.
        await AppendAsync("c");
        await Eventually.WaitUntilAsync(() => handler.Done.Contains("c"), "a record appended after the poison is handled", Deadline);
        run.IsCompleted.Should().BeFalse();
        await stop.CancelAsync();
        await run; // only cancellation ends it, quietly
        _health.Groups.Should().NotContainKey(_group);

        // Committed past the poison: the group reads nothing again.
        await using var again = _log.Subscribe(new ConsumerOptions(_group, [_topic]));
        (await again.ConsumeAsync(TimeSpan.FromMilliseconds(300))).Should().BeEmpty();
    }

    [Fact]
    public async Task A_transient_failure_is_retried_and_succeeds_without_dead_lettering()
    {
        var failures = 1;
        var handler = new ScriptedHandler(Options(), fail: value => value == "flaky" && Interlocked.Decrement(ref failures) >= 0);
        await AppendAsync("a", "flaky", "b");
        using var stop = new CancellationTokenSource();
        var run = new EventHandlerRunner(_log, _health).RunAsync(handler, stop.Token);

        await Eventually.WaitUntilAsync(() => handler.Done.Contains("flaky") && handler.Done.Contains("b"), "the flaky record succeeds on a retry", Deadline);
        await stop.CancelAsync();
        await run;

        _metrics.Sum("cascade.eventlog.handler.failures", _group).Should().Be(1);
        _metrics.Sum("cascade.eventlog.dead_lettered", _group).Should().Be(0);
        (await _log.GetEndOffsetsAsync(EventHandlerRunner.DeadLetterTopic)).Values.Sum().Should().Be(0);
        _changes.Should().NotContain(c => c.Stuck, "one failure the next attempt clears is not an outage");
    }

    [Fact]
    public async Task A_retry_restores_the_handler_and_hands_every_record_since_the_last_commit()
    {
        // The handler defers its first batch (not checkpointed), then fails on the next: the retry must start from
        // its checkpoint and see the deferred records again, in order.
        var failures = 1;
        var handler = new ScriptedHandler(Options(), fail: value => value == "x" && Interlocked.Decrement(ref failures) >= 0, defer: values => values.SequenceEqual(["a"]));
        await AppendAsync("a");
        using var stop = new CancellationTokenSource();
        var run = new EventHandlerRunner(_log, _health).RunAsync(handler, stop.Token);
        await Eventually.WaitUntilAsync(() => handler.Done.Contains("a"), "the first record is handled", Deadline);
        await AppendAsync("x");
        await Eventually.WaitUntilAsync(() => handler.Done.Contains("x"), "the failed record succeeds on a retry", Deadline);
        // The runner commits after the handler returns: stopping before that would leave the batch to be handed again
        // (at least once, as designed), which is not what this test is about.
        await Eventually.WaitUntilAsync(() => CommittedOffset() == 2, "the runner commits the retried batch", Deadline);
        await stop.CancelAsync();
        await run;

        handler.Restores.Should().BeGreaterThanOrEqualTo(2, "once before subscribing, once before the retry");
        _metrics.Sum("cascade.eventlog.handler.batch.size", _group).Should().Be(1, "the batch handled at the first attempt is measured; the retried one is counted as failures");
        handler.Done.Should().Equal("a", "x");
        await using var again = _log.Subscribe(new ConsumerOptions(_group, [_topic]));
        (await again.ConsumeAsync(TimeSpan.FromMilliseconds(300))).Should().BeEmpty("the retry committed both");
    }

    [Fact]
    public async Task A_failure_after_the_poll_is_retried_and_blames_no_record()
    {
        var failures = 3;
        var handler = new ScriptedHandler(Options(), fail: _ => false) { AfterPoll = () => { if (Interlocked.Decrement(ref failures) >= 0) throw new IOException("store down"); } };
        await AppendAsync("a", "b");
        using var stop = new CancellationTokenSource();
        var run = new EventHandlerRunner(_log, _health).RunAsync(handler, stop.Token);

        await Eventually.WaitUntilAsync(() => Volatile.Read(ref failures) < 0 && _changes.Any(c => c.Stuck) && !_health.AnyStuck, "the timed work recovered", Deadline);
        await stop.CancelAsync();
        await run;

        handler.Done.Should().Equal("a", "b");
        _metrics.Sum("cascade.eventlog.handler.failures", _group).Should().Be(3);
        _metrics.Sum("cascade.eventlog.dead_lettered", _group).Should().Be(0);
    }

    [Fact]
    public async Task A_failing_event_log_never_dead_letters_healthy_records()
    {
        // A broker restart refuses the handler's own appends: the records are not at fault, so they must be retried
        // (reported stuck meanwhile) and never dead-lettered, however many attempts the outage lasts.
        var outage = 8; // more than MaxRecordAttempts (3) on the batch and on each record together
        var handler = new ScriptedHandler(Options(), fail: _ => false)
        {
            BeforeHandle = () =>
            {
                if (Interlocked.Decrement(ref outage) >= 0)
                {
                    throw new AggregateException(new EventLogException("broker refused the append", new IOException("connection reset")));
                }
            },
        };
        await AppendAsync("a", "b", "c");
        using var stop = new CancellationTokenSource();
        var run = new EventHandlerRunner(_log, _health).RunAsync(handler, stop.Token);

        await Eventually.WaitUntilAsync(() => handler.Done.Count == 3, "the records are handled once the log is back", Deadline);
        await Eventually.WaitUntilAsync(() => !_health.AnyStuck, "the group reports it recovered", Deadline);
        await stop.CancelAsync();
        await run;

        handler.Done.Should().Equal("a", "b", "c");
        _changes.Should().Contain(c => c.Stuck && c.GroupId == _group, "health reported the group stuck during the outage");
        _metrics.Sum("cascade.eventlog.dead_lettered", _group).Should().Be(0);
        (await _log.GetEndOffsetsAsync(EventHandlerRunner.DeadLetterTopic)).Values.Sum().Should().Be(0, "no healthy record is dead-lettered for a log outage");
    }

    [Fact]
    public void Default_options_are_documented_values()
    {
        var options = new EventHandlerOptions { Subscription = new ConsumerOptions("g", ["t"]) };
        options.PollInterval.Should().Be(TimeSpan.FromSeconds(1));
        options.Commits.Should().BeTrue();
        options.MaxBatchAttempts.Should().Be(3);
        options.MaxRecordAttempts.Should().Be(3);
        options.InitialBackoff.Should().Be(TimeSpan.FromMilliseconds(200));
        options.MaxBackoff.Should().Be(TimeSpan.FromSeconds(10));
        options.StuckAfterFailures.Should().Be(2);
        options.Backoff(1).Should().Be(TimeSpan.FromMilliseconds(200));
        options.Backoff(3).Should().Be(TimeSpan.FromMilliseconds(800));
        options.Backoff(30).Should().Be(TimeSpan.FromSeconds(10));
    }

    /// <summary>
    /// A handler with a checkpoint: records it defers are "in memory" until a commit or flush makes them durable;
    /// a restore drops them. <see cref="Done"/> is what is durable plus what is in memory.
    /// </summary>
    private sealed class ScriptedHandler(EventHandlerOptions options, Func<string, bool> fail, Func<IReadOnlyList<string>, bool>? defer = null) : IEventBatchHandler
    {
        private readonly List<string> _durable = [];
        private readonly List<string> _memory = [];
        private readonly Lock _gate = new();

        public EventHandlerOptions Options { get; } = options;

        public Action? AfterPoll { get; init; }

        /// <summary>Runs before each batch is handled (an outage of something the handler writes to).</summary>
        public Action? BeforeHandle { get; init; }

        public int Restores { get; private set; }

        public IReadOnlyList<string> Done
        {
            get
            {
                lock (_gate)
                {
                    return [.. _durable, .. _memory];
                }
            }
        }

        public Task<BatchResult> HandleAsync(IReadOnlyList<ConsumedRecord> batch, CancellationToken cancellationToken)
        {
            BeforeHandle?.Invoke();
            var values = batch.Select(r => Encoding.UTF8.GetString(r.Value.Span)).ToArray();
            foreach (var record in batch)
            {
                var value = Encoding.UTF8.GetString(record.Value.Span);
                if (fail(value)) throw new InvalidDataException($"cannot handle {value}");
                lock (_gate)
                {
                    _memory.Add(value);
                }
            }
            if (defer?.Invoke(values) ?? false) return Task.FromResult(BatchResult.Defer);
            Flush();
            return Task.FromResult(BatchResult.Commit);
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken)
        {
            Flush();
            return ValueTask.CompletedTask;
        }

        public ValueTask RestoreAsync(CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                Restores++;
                _memory.Clear();
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask AfterPollAsync(CancellationToken cancellationToken)
        {
            AfterPoll?.Invoke();
            return ValueTask.CompletedTask;
        }

        private void Flush()
        {
            lock (_gate)
            {
                _durable.AddRange(_memory);
                _memory.Clear();
            }
        }
    }
}

/// <summary>Sums the <c>Cascade.EventLog</c> counters by group, as a scraper would see them.</summary>
internal sealed class MetricsProbe : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Instrument, string Group), long> _sums = new();

    public MetricsProbe()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == EventHandlerMetrics.MeterName) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "group" && tag.Value is string group)
                {
                    _sums.AddOrUpdate((instrument.Name, group), value, (_, sum) => sum + value);
                }
            }
        });
        _listener.Start();
    }

    public long Sum(string instrument, string group) => _sums.TryGetValue((instrument, group), out var sum) ? sum : 0;

    public void Dispose() => _listener.Dispose();
}
