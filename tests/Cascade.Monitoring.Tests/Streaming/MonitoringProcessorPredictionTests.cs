using System.Text.Json;
using System.Text.Json.Serialization;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Embedded;
using Cascade.Monitoring.Alerts;
using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Options;
using Cascade.Monitoring.Profiles;
using Cascade.Monitoring.Storage;
using Cascade.Monitoring.Streaming;
using Cascade.Monitoring.Tests.Fixtures;
using Cascade.Storage.Artifacts;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cascade.Monitoring.Tests.Streaming;

/// <summary>
/// The consumer reads predictions from their bytes and observes a model's consecutive ones together: the monitor must
/// end exactly where observing each prediction and label one by one, in stream order, leaves it (same window, waiting
/// labels, detectors, counters and alerts), whatever the batch boundaries and whatever else the batches hold.
/// </summary>
public sealed class MonitoringProcessorPredictionTests : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-monitoring-predictions-").FullName;
    private SqliteEventLog _log = null!;
    private MonitoringStore _store = null!;

    public Task InitializeAsync()
    {
        _log = new SqliteEventLog(new EmbeddedEventLogOptions { Path = Path.Combine(_data, "events.db"), DefaultPartitions = 1 });
        _store = new MonitoringStore(Path.Combine(_data, "monitoring.db"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _store.Dispose();
        await _log.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Predictions_read_from_the_log_leave_the_monitor_where_observing_them_one_by_one_does(int seed)
    {
        var options = new MonitoringServiceOptions { DatabasePath = Path.Combine(_data, "monitoring.db"), CheckpointInterval = TimeSpan.FromDays(1) };
        var profile = SyntheticModel.Profile(new());
        var monitors = new ModelMonitors(options.Drift);
        monitors.Activate(SyntheticModel.Name, 1, profile, ModelTask.BinaryClassification);
        var direct = new ModelMonitor(SyntheticModel.Name, options.Drift);
        direct.Activate(1, profile, ModelTask.BinaryClassification);
        var processor = new MonitoringProcessor(monitors, new ArtifactProfileLoader(new LocalArtifactStore(Path.Combine(_data, "artifacts"))), _store,
            new AlertFeed(), _log, options, TimeProvider.System, NullLogger<MonitoringProcessor>.Instance);

        var (records, directAlerts) = Stream(seed, direct);
        var random = new Random(seed);
        for (var at = 0; at < records.Count;)
        {
            var size = Math.Min(random.Next(1, 400), records.Count - at);
            await processor.HandleAsync(records.GetRange(at, size), CancellationToken.None);
            at += size;
        }

        var monitor = monitors.For(SyntheticModel.Name);
        JsonSerializer.Serialize(monitor.Export(), Json).Should().Be(JsonSerializer.Serialize(direct.Export(), Json));
        monitor.Health().Counters.Should().Be(direct.Health().Counters);
        directAlerts.Should().NotBeEmpty("the income shift half way raises alerts");
        _store.RecentAlerts(SyntheticModel.Name, 100).Select(a => a.AlertId).Should().BeEquivalentTo(directAlerts.Select(a => a.AlertId));
        monitors.Models.Should().BeEquivalentTo([SyntheticModel.Name, "other"], "the other model's predictions reach a monitor of their own");
    }

    /// <summary>
    /// 4,000 predictions of the monitored model (income shifted in the second half), labels 20 predictions later, and
    /// among them shadow predictions, predictions of another version and of another model, redeliveries and an event
    /// Monitoring does not read; each fed to <paramref name="direct"/> as it is appended.
    /// </summary>
    private static (List<ConsumedRecord> Records, List<Domain.Alerts.DriftAlert> Alerts) Stream(int seed, ModelMonitor direct)
    {
        var draw = new Draw(seed);
        var random = new Random(seed);
        var records = new List<ConsumedRecord>();
        var alerts = new List<Domain.Alerts.DriftAlert>();
        var labels = new Queue<LabelObserved>();
        long predictionOffset = 0, labelOffset = 0, other = 0;
        var appended = SyntheticModel.Start;
        void Append(string topic, long offset, IMessage payload, string key)
        {
            appended = appended.AddMilliseconds(1);
            records.Add(new ConsumedRecord(topic, 0, offset, key, EventEnvelopes.Wrap(payload, key, "test").ToByteArray(), appended));
        }
        for (var i = 0; i < 4_000; i++)
        {
            var x = SyntheticModel.DrawFeatures(draw, new(IncomeShift: i < 2_000 ? 0 : 3));
            var p = SyntheticModel.Predict(x);
            var kind = random.Next(40);
            var logged = new PredictionLogged
            {
                PredictionId = $"p{i}", Model = kind == 0 ? "other" : SyntheticModel.Name, Version = kind == 1 ? 2 : 1, EntityId = $"e{random.Next(300)}",
                Features = { x }, Outputs = { p }, Shadow = kind == 2, Time = Timestamp.FromDateTimeOffset(SyntheticModel.Start.AddSeconds(i)),
            };
            var offset = predictionOffset++;
            Append(Topics.PredictionsLogged, offset, logged, logged.Model);
            if (kind == 3) Append(Topics.PredictionsLogged, offset, logged, logged.Model); // a redelivery: same offset again
            if (kind == 4) Append(Topics.ModelsTrained, other++, new ModelTrained { Model = SyntheticModel.Name, Version = 9 }, SyntheticModel.Name);
            if (!logged.Shadow && logged.Model == SyntheticModel.Name)
            {
                var prediction = new PredictionRecord(logged.PredictionId, logged.Model, logged.Version, logged.EntityId, logged.Time.ToDateTimeOffset(), offset, x, new[] { p }, Array.Empty<int>());
                alerts.AddRange(direct.Observe(prediction));
                if (kind == 3) alerts.AddRange(direct.Observe(prediction));
                labels.Enqueue(new LabelObserved
                {
                    Model = SyntheticModel.Name, PredictionId = logged.PredictionId, EventTime = Timestamp.FromDateTimeOffset(SyntheticModel.Start.AddSeconds(i + 20)),
                    Label = SyntheticModel.Label(draw, x, p, new(FlipLabelsForOlder: i >= 2_000)),
                });
            }
            while (labels.Count > 20)
            {
                var label = labels.Dequeue();
                Append(Topics.LabelsObserved, labelOffset++, label, label.Model);
                alerts.AddRange(direct.Observe(new LabelRecord(label.Model, label.PredictionId, label.EntityId, label.EventTime.ToDateTimeOffset(), label.Label)));
            }
        }
        return (records, alerts);
    }
}
