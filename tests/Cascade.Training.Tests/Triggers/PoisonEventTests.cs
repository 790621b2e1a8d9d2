using Cascade.Tests.Shared;
using System.Collections.Concurrent;
using System.Diagnostics;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Training.V1;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Handlers;
using Cascade.Host;
using Cascade.Hosting.Health;
using Cascade.Training.Storage;
using Cascade.Training.Triggers;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Cascade.Training.Tests.Triggers;

/// <summary>
/// The triggers run in the event-handler host: an unreadable event is dead-lettered and counted, the triggers go on
/// with the next event, and the server reported NOT_SERVING while they were stuck on it.
/// </summary>
public sealed class PoisonEventTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-training-poison-").FullName;
    private readonly ConcurrentQueue<ServingStatus> _serverStatuses = new();
    private readonly EventHandlerCounters _counters = new();
    private readonly CancellationTokenSource _stopWatching = new();
    private WebApplication _host = null!;
    private GrpcChannel _channel = null!;
    private IEventLog _log = null!;
    private Task _watching = Task.CompletedTask;

    public async Task InitializeAsync()
    {
        var options = new AllInOneHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = _data };
        _host = AllInOneHost.Build(options, _ => { });
        await _host.StartAsync();
        _channel = GrpcChannel.ForAddress(AllInOneHost.GetAddresses(_host, options).Grpc);
        _log = _host.Services.GetRequiredService<IEventLog>();
        var subscription = _host.Services.GetRequiredService<HealthStatusRegistry>().Watch(string.Empty);
        _watching = Task.Run(async () =>
        {
            using (subscription)
            {
                try
                {
                    await foreach (var status in subscription.Reader.ReadAllAsync(_stopWatching.Token)) _serverStatuses.Enqueue(status);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
    }

    public async Task DisposeAsync()
    {
        await _stopWatching.CancelAsync();
        await _watching;
        _counters.Dispose();
        _channel.Dispose();
        await _host.StopAsync();
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    private async Task<RecordPosition> AppendPoisonAsync(string topic) =>
        (await _log.AppendAsync(topic, [new OutgoingRecord("poison", new byte[] { 0xff, 0xff, 0xff, 0x01 })]))[0];

    private async Task<DeadLettered> DeadLetterOfAsync(string group, RecordPosition poison)
    {
        await using var reader = _log.Subscribe(new ConsumerOptions($"test-reader.{Guid.NewGuid():N}", [Topics.DeadLettered]));
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < Deadline)
        {
            foreach (var record in await reader.ConsumeAsync(TimeSpan.FromMilliseconds(200)))
            {
                var letter = EventEnvelopes.Unwrap(EventEnvelope.Parser.ParseFrom(record.Value.Span), DeadLettered.Parser);
                if (record.Key == group && letter.Topic == poison.Topic && letter.Offset == poison.Offset) return letter;
            }
        }
        throw new TimeoutException($"No dead letter of {poison} from {group}.");
    }

    private async Task ShowStuckThenRecoveredAsync()
    {
        await Eventually.WaitUntilAsync(() => _serverStatuses.Contains(ServingStatus.NotServing), "the server reports NOT_SERVING while the trigger is stuck", Deadline);
        await Eventually.WaitUntilAsync(() => _serverStatuses.Last() == ServingStatus.Serving, "the server reports SERVING again once the trigger moved on", Deadline);
        _host.Services.GetRequiredService<IConsumerHealth>().AnyStuck.Should().BeFalse();
    }

    private long Counter(string instrument, string group) => _counters.Of(instrument, group);

    [Fact]
    public async Task A_poison_FeaturesMaterialized_is_dead_lettered_and_the_next_one_is_still_considered()
    {
        const string group = "cascade-training.triggers";
        var poison = await AppendPoisonAsync(Topics.FeaturesMaterialized);
        var next = new FeaturesMaterialized { FeatureView = "after-the-poison", LabeledRowsTotal = 7 };
        await _log.AppendAsync(Topics.FeaturesMaterialized, [new OutgoingRecord(next.FeatureView, EventEnvelopes.Wrap(next, next.FeatureView, "test").ToByteArray())]);

        var triggers = _host.Services.GetRequiredService<TrainingTriggers>();
        (await Eventually.WaitForAsync(() => Task.FromResult(triggers.Latest("after-the-poison")), latest => latest is not null, "the event after the poison is considered", Deadline))!.LabeledRowsTotal.Should().Be(7);
        var letter = await DeadLetterOfAsync(group, poison);
        letter.Partition.Should().Be(poison.Partition);
        letter.Value.ToByteArray().Should().Equal(0xff, 0xff, 0xff, 0x01);
        letter.Error.Should().NotBeEmpty();
        await Eventually.WaitUntilAsync(() => Counter("cascade.eventlog.dead_lettered", group) >= 1, "the dead letter is counted", Deadline);
        Counter("cascade.eventlog.handler.failures", group).Should().BeGreaterThanOrEqualTo(2);
        await ShowStuckThenRecoveredAsync();
    }

    [Fact]
    public async Task A_poison_DriftDetected_is_dead_lettered_and_the_next_alert_still_schedules_a_retrain()
    {
        const string group = "cascade-training.drift";
        await new Contracts.Training.V1.Training.TrainingClient(_channel).PutTrainingPolicyAsync(new PutTrainingPolicyRequest
        {
            Spec = new TrainingPolicySpec
            {
                Model = "drifting-model", Dataset = "readings", FeatureView = "readings-view", Objective = "binary:logistic", Rounds = 5,
                ValidationFraction = 0.1, HoldoutFraction = 0.2,
                Triggers = new Contracts.Training.V1.Triggers { OnDrift = true, Debounce = Duration.FromTimeSpan(TimeSpan.FromHours(1)) },
            },
        });
        var poison = await AppendPoisonAsync(Topics.DriftDetected);
        var alert = new DriftDetected { AlertId = "alert-after-poison", Model = "drifting-model", Version = 1, Severity = Severity.Critical, Kind = DriftKind.Feature, DedupKey = "drifting-model/v1/feature-drift", Summary = "x0 drifted" };
        await _log.AppendAsync(Topics.DriftDetected, [new OutgoingRecord(alert.Model, EventEnvelopes.Wrap(alert, alert.Model, "test").ToByteArray())]);

        var store = _host.Services.GetRequiredService<TrainingStore>();
        await Eventually.WaitUntilAsync(() => store.PendingDriftRetrains().Any(p => p.Model == "drifting-model"), "the alert after the poison schedules a retrain", Deadline);
        store.PendingDriftRetrains().Single(p => p.Model == "drifting-model").AlertIds.Should().Equal("alert-after-poison");
        var letter = await DeadLetterOfAsync(group, poison);
        letter.Value.ToByteArray().Should().Equal(0xff, 0xff, 0xff, 0x01);
        await Eventually.WaitUntilAsync(() => Counter("cascade.eventlog.dead_lettered", group) >= 1, "the dead letter is counted", Deadline);
        await ShowStuckThenRecoveredAsync();
    }
}
