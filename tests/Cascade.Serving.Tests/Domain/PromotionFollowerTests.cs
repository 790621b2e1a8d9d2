using Cascade.Tests.Shared;
using System.Collections.Concurrent;
using System.Diagnostics;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Embedded;
using Cascade.EventLog.Handlers;
using Cascade.Hosting;
using Cascade.Hosting.Health;
using Cascade.Ml.Signing;
using Cascade.Serving.Domain;
using Cascade.Storage.Artifacts;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Cascade.Serving.Tests.Domain;

/// <summary>
/// The promotion follower runs in the event-handler host: one unreadable event no longer stops it following
/// promotions. The event after the poison is still acted on (here: a promotion whose artifact is missing, which the
/// follower reports as <c>ModelLoadFailed</c>).
/// </summary>
public sealed class PromotionFollowerTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private static readonly byte[] PoisonBytes = [0xff, 0xff, 0xff, 0x01];
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-serving-follower-").FullName;
    private readonly EventHandlerCounters _counters = new();

    public Task InitializeAsync()
    {
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _counters.Dispose();
        Directory.Delete(_data, recursive: true);
        return Task.CompletedTask;
    }

    private long Counter(string instrument, string group) => _counters.Of(instrument, group);

    private static OutgoingRecord Promotion(string model, int version) =>
        new(model, EventEnvelopes.Wrap(new ModelPromoted { Model = model, Version = version, ArtifactSha256 = new string('0', 64), FeatureView = "view" }, model, "test").ToByteArray());

    /// <summary>Reads a topic from the start with a throwaway group until <paramref name="found"/> matches a record.</summary>
    private static async Task<ConsumedRecord> ReadUntilAsync(IEventLog log, string topic, Func<ConsumedRecord, bool> found)
    {
        await using var reader = log.Subscribe(new ConsumerOptions($"test-reader.{Guid.NewGuid():N}", [topic]));
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < Deadline)
        {
            foreach (var record in await reader.ConsumeAsync(TimeSpan.FromMilliseconds(200)))
            {
                if (found(record)) return record;
            }
        }
        throw new TimeoutException($"Nothing expected arrived on {topic}.");
    }

    private static ModelLoadFailed? LoadFailure(ConsumedRecord record) =>
        EventEnvelope.Parser.ParseFrom(record.Value.Span) is { } envelope && envelope.Type == ModelLoadFailed.Descriptor.FullName ? ModelLoadFailed.Parser.ParseFrom(envelope.Payload) : null;

    [Fact]
    public async Task A_poison_promotion_is_dead_lettered_counted_and_the_follower_goes_on_while_the_server_reports_not_serving()
    {
        var options = new ServiceHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = _data };
        var trusted = Path.Combine(_data, "trusted.pub");
        using (var key = SigningKey.Create()) File.WriteAllText(trusted, key.PublicKeyPem);
        await using var host = ServiceHost.Build(options, [Contracts.Serving.V1.Serving.Descriptor.FullName], (services, data) => services.AddCascadeServing(Path.Combine(data, "serving"), o => o.TrustedKeys = trusted), _ => { });
        var statuses = new ConcurrentQueue<ServingStatus>();
        using var watch = host.Services.GetRequiredService<HealthStatusRegistry>().Watch(string.Empty);
        using var stopWatching = new CancellationTokenSource();
        var watching = Task.Run(async () =>
        {
            try
            {
                await foreach (var status in watch.Reader.ReadAllAsync(stopWatching.Token)) statuses.Enqueue(status);
            }
            catch (OperationCanceledException)
            {
            }
        });
        await host.StartAsync();
        var log = host.Services.GetRequiredService<IEventLog>();
        var group = host.Services.GetRequiredService<PromotionFollower>().Options.Subscription.GroupId;

        var poison = (await log.AppendAsync(Topics.ModelsPromoted, [new OutgoingRecord("m", PoisonBytes)]))[0];
        await log.AppendAsync(Topics.ModelsPromoted, [Promotion("after-the-poison", 3)]);

        var failed = LoadFailure(await ReadUntilAsync(log, Topics.ModelLoadFailed, r => LoadFailure(r)?.Model == "after-the-poison"))!;
        failed.Version.Should().Be(3, "the promotion after the poison was still followed");
        var letterRecord = await ReadUntilAsync(log, Topics.DeadLettered, r => r.Key == group);
        var letter = EventEnvelopes.Unwrap(EventEnvelope.Parser.ParseFrom(letterRecord.Value.Span), DeadLettered.Parser);
        letter.Topic.Should().Be(Topics.ModelsPromoted);
        letter.Partition.Should().Be(poison.Partition);
        letter.Offset.Should().Be(poison.Offset);
        letter.Value.ToByteArray().Should().Equal(PoisonBytes);
        await Eventually.WaitUntilAsync(() => Counter("cascade.eventlog.dead_lettered", group) == 1, "the dead letter is counted", Deadline);
        await Eventually.WaitUntilAsync(() => statuses.Contains(ServingStatus.NotServing), "the server reported NOT_SERVING while the follower was stuck", Deadline);
        await Eventually.WaitUntilAsync(() => statuses.Last() == ServingStatus.Serving && !host.Services.GetRequiredService<IConsumerHealth>().AnyStuck, "the server is SERVING again", Deadline);

        await stopWatching.CancelAsync();
        await watching;
        await host.StopAsync();
    }

    [Fact]
    public async Task A_transient_failure_is_retried_and_succeeds_without_dead_lettering()
    {
        await using var inner = new SqliteEventLog(new EmbeddedEventLogOptions { Path = Path.Combine(_data, "events.db"), DefaultPartitions = 1 });
        var log = new FlakyLog(inner, failingAppends: 1);
        using var key = SigningKey.Create();
        var catalog = new ModelCatalog(new LocalArtifactStore(Path.Combine(_data, "artifacts")), Path.Combine(_data, "serving"), new ArtifactTrust(TrustedKeys.Of(key.PublicKey)));
        var follower = new PromotionFollower(catalog, log, NullLogger<PromotionFollower>.Instance);
        var group = follower.Options.Subscription.GroupId;
        var health = new ConsumerHealth();
        await inner.AppendAsync(Topics.ModelsPromoted, [Promotion("flaky", 1)]);
        using var stop = new CancellationTokenSource();
        var run = new EventHandlerRunner(log, health).RunAsync(follower, stop.Token);

        // The first report of the failed load cannot be written; the retry writes it.
        var failed = LoadFailure(await ReadUntilAsync(inner, Topics.ModelLoadFailed, r => LoadFailure(r)?.Model == "flaky"))!;
        failed.Version.Should().Be(1);
        await Eventually.WaitUntilAsync(() => Counter("cascade.eventlog.handler.failures", group) == 1, "the failure is counted", Deadline);
        await stop.CancelAsync();
        await run;

        Counter("cascade.eventlog.dead_lettered", group).Should().Be(0);
        (await inner.GetEndOffsetsAsync(Topics.DeadLettered)).Values.Sum().Should().Be(0);
    }

    /// <summary>An event log whose first appends fail, as a broker briefly away would.</summary>
    private sealed class FlakyLog(IEventLog inner, int failingAppends) : IEventLog
    {
        private int _failuresLeft = failingAppends;

        public Task CreateTopicAsync(string topic, int partitions, CancellationToken cancellationToken = default) => inner.CreateTopicAsync(topic, partitions, cancellationToken);

        public Task<IReadOnlyList<RecordPosition>> AppendAsync(string topic, IReadOnlyList<OutgoingRecord> records, CancellationToken cancellationToken = default) =>
            Interlocked.Decrement(ref _failuresLeft) >= 0 ? throw new EventLogException("broker unavailable") : inner.AppendAsync(topic, records, cancellationToken);

        public Task<IReadOnlyDictionary<int, long>> GetEndOffsetsAsync(string topic, CancellationToken cancellationToken = default) => inner.GetEndOffsetsAsync(topic, cancellationToken);

        public IEventConsumer Subscribe(ConsumerOptions options) => inner.Subscribe(options);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
