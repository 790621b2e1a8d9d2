using Cascade.Contracts.Monitoring.V1;
using Cascade.Monitoring.Alerts;
using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Grpc;
using Cascade.Monitoring.Options;
using Cascade.Monitoring.Storage;
using Cascade.Monitoring.Tests.Fixtures;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Severity = Cascade.Contracts.Events.V1.Severity;

namespace Cascade.Monitoring.Tests.History;

/// <summary>
/// Drift history end to end below the wire: a monitor's evaluated windows stored with its checkpoint, read back by
/// GetDriftHistory after the store is reopened, filtered, limited, kept within retention, and bad requests refused.
/// </summary>
public sealed class DriftHistoryTests : IDisposable
{
    private static readonly SyntheticModel.Scenario Stationary = new();
    private static readonly SyntheticModel.Scenario Shifted = new(IncomeShift: 4);
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-drift-history-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private string DatabasePath => Path.Combine(_data, "monitoring.db");

    private static ModelMonitor Watching(int version = 1)
    {
        var monitor = new ModelMonitor(SyntheticModel.Name, new MonitoringOptions());
        monitor.Activate(version, SyntheticModel.Profile(Stationary), ModelTask.BinaryClassification);
        return monitor;
    }

    /// <summary>Checkpoints the monitor with the windows it evaluated, as the processor does.</summary>
    private static void Checkpoint(MonitoringStore store, ModelMonitor monitor) =>
        store.Checkpoint([(monitor.Model, monitor.Version!.Value, "sha", monitor.ExportCheckpoint())], [monitor.TakeHistory()]);

    private static MonitoringGrpcService Service(MonitoringStore store, ModelMonitors? monitors = null) =>
        new(store, new AlertFeed(), monitors ?? new ModelMonitors(new MonitoringOptions()));

    private static DriftHistory Get(MonitoringGrpcService service, GetDriftHistoryRequest request) =>
        service.GetDriftHistory(request, null!).GetAwaiter().GetResult();

    [Fact]
    public void Every_evaluated_window_is_kept_per_feature_and_for_the_prediction_with_its_thresholds_across_a_restart()
    {
        var monitor = Watching();
        var traffic = new TrafficStream(monitor, 41);
        using (var store = new MonitoringStore(DatabasePath))
        {
            traffic.Send(1_500, Stationary);
            Checkpoint(store, monitor);
            traffic.Send(500, Shifted);
            Checkpoint(store, monitor);
        }
        var latest = monitor.Health();

        using var reopened = new MonitoringStore(DatabasePath);
        var history = Get(Service(reopened), new GetDriftHistoryRequest { Model = SyntheticModel.Name });

        history.Series.Select(s => s.IsPrediction ? "(prediction)" : s.Feature).Should().Equal("(prediction)", "age", "income", "is_premium", "score", "tenure");
        history.Series.Should().OnlyContain(s => s.Version == 1 && s.Points.Count == latest.Counters.Evaluations);
        history.Series.Should().OnlyContain(s => s.Thresholds.Calibrated && s.Thresholds.PsiWarning >= 0.1 && double.IsNaN(s.Thresholds.ChiSquaredPValueWarning));
        var income = history.Series.Single(s => s.Feature == "income");
        income.Points.Select(p => p.EndOffset).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        income.Points.Take(5).Should().OnlyContain(p => p.Severity == Severity.Unspecified, "the stationary traffic did not drift");
        income.Points[^1].Severity.Should().Be(Severity.Critical, "the last window is all shifted traffic");
        var now = latest.Features.Single(f => f.Feature == "income");
        income.Points[^1].Psi.Should().Be(now.Psi);
        income.Points[^1].KsPValue.Should().Be(now.KsPValue);
        income.Points[^1].Wasserstein.Should().Be(now.NormalizedWasserstein);
        double.IsNaN(income.Points[^1].ChiSquaredPValue).Should().BeTrue("chi-squared applies to categorical columns only");
        income.Points[^1].Count.Should().Be(500);
        income.Points[^1].WindowEnd.ToDateTimeOffset().Should().Be(latest.LastEvaluation!.Value.EndTime);
    }

    [Fact]
    public void Requests_choose_the_version_time_range_latest_windows_and_features()
    {
        var v1 = Watching(1);
        var traffic = new TrafficStream(v1, 42);
        using var store = new MonitoringStore(DatabasePath);
        traffic.Send(1_000, Stationary); // windows end at offsets 499, 599, …, 999: 6 windows, a second apart per record
        Checkpoint(store, v1);
        var v2 = Watching(2);
        new TrafficStream(v2, 43, version: 2).Send(700, Stationary);
        Checkpoint(store, v2);
        var service = Service(store);

        var all = Get(service, new GetDriftHistoryRequest { Model = SyntheticModel.Name, Features = { "income" } });
        all.Series.Select(s => (s.Version, s.IsPrediction, s.Feature)).Should().Equal((1, true, ""), (1, false, "income"), (2, true, ""), (2, false, "income"));
        all.Series.Select(s => s.Points.Count).Should().Equal(6, 6, 3, 3);

        var latestTwo = Get(service, new GetDriftHistoryRequest { Model = SyntheticModel.Name, Version = 1, Limit = 2 });
        latestTwo.Series.Should().OnlyContain(s => s.Version == 1 && s.Points.Select(p => p.EndOffset).SequenceEqual(new long[] { 899, 999 }));

        var from = Timestamp.FromDateTimeOffset(SyntheticModel.Start.AddSeconds(599));
        var to = Timestamp.FromDateTimeOffset(SyntheticModel.Start.AddSeconds(799));
        var ranged = Get(service, new GetDriftHistoryRequest { Model = SyntheticModel.Name, Version = 1, From = from, To = to });
        ranged.Series.Should().OnlyContain(s => s.Points.Select(p => p.EndOffset).SequenceEqual(new long[] { 599, 699, 799 }), "both ends are inclusive");
    }

    [Fact]
    public void Retention_keeps_the_latest_windows_of_each_version_and_the_latest_versions()
    {
        using var store = new MonitoringStore(DatabasePath, new DriftHistoryOptions { WindowsPerVersion = 3, VersionsPerModel = 2 });
        foreach (var version in new[] { 1, 2, 3 })
        {
            var monitor = Watching(version);
            new TrafficStream(monitor, 44, version).Send(1_000, Stationary);
            Checkpoint(store, monitor);
        }

        var history = Get(Service(store), new GetDriftHistoryRequest { Model = SyntheticModel.Name });

        history.Series.Select(s => s.Version).Distinct().Should().Equal(2, 3);
        history.Series.Should().OnlyContain(s => s.Points.Select(p => p.EndOffset).SequenceEqual(new long[] { 799, 899, 999 }));
    }

    [Fact]
    public void A_window_stored_again_after_a_replay_replaces_itself()
    {
        var monitor = Watching();
        new TrafficStream(monitor, 45).Send(700, Stationary);
        var batch = monitor.TakeHistory();
        using var store = new MonitoringStore(DatabasePath);

        store.Checkpoint([(monitor.Model, 1, "sha", monitor.ExportCheckpoint())], [batch]);
        store.Checkpoint([(monitor.Model, 1, "sha", monitor.ExportCheckpoint())], [batch]);

        Get(Service(store), new GetDriftHistoryRequest { Model = SyntheticModel.Name }).Series.Should().OnlyContain(s => s.Points.Count == 3);
    }

    [Fact]
    public void A_monitored_model_with_no_window_yet_has_an_empty_history()
    {
        using var store = new MonitoringStore(DatabasePath);
        var monitors = new ModelMonitors(new MonitoringOptions());
        monitors.Activate(SyntheticModel.Name, 1, SyntheticModel.Profile(Stationary), ModelTask.BinaryClassification);

        Get(Service(store, monitors), new GetDriftHistoryRequest { Model = SyntheticModel.Name }).Series.Should().BeEmpty();
    }

    [Fact]
    public void The_history_buffer_between_checkpoints_is_bounded_and_counts_what_it_dropped()
    {
        var monitor = new ModelMonitor(SyntheticModel.Name, new MonitoringOptions { Window = { HistoryBuffer = 2 } });
        monitor.Activate(1, SyntheticModel.Profile(Stationary), ModelTask.BinaryClassification);
        new TrafficStream(monitor, 46).Send(1_000, Stationary);

        var batch = monitor.TakeHistory();

        batch.Windows.Select(w => w.Window.EndOffset).Should().Equal(899, 999);
        batch.Dropped.Should().Be(4);
        monitor.TakeHistory().IsEmpty.Should().BeTrue();
    }

    public static TheoryData<GetDriftHistoryRequest, StatusCode, string> BadRequests() => new()
    {
        { new GetDriftHistoryRequest(), StatusCode.InvalidArgument, "model is required" },
        { new GetDriftHistoryRequest { Model = SyntheticModel.Name, Version = -1 }, StatusCode.InvalidArgument, "version" },
        { new GetDriftHistoryRequest { Model = SyntheticModel.Name, Limit = 10_001 }, StatusCode.InvalidArgument, "limit must be between 0" },
        { new GetDriftHistoryRequest { Model = SyntheticModel.Name, From = Timestamp.FromDateTimeOffset(SyntheticModel.Start.AddDays(1)), To = Timestamp.FromDateTimeOffset(SyntheticModel.Start) }, StatusCode.InvalidArgument, "is after to" },
        { new GetDriftHistoryRequest { Model = SyntheticModel.Name, From = new Timestamp { Seconds = 1, Nanos = -1 } }, StatusCode.InvalidArgument, "from is not a valid timestamp" },
        { new GetDriftHistoryRequest { Model = SyntheticModel.Name, Features = { "" } }, StatusCode.InvalidArgument, "empty name" },
        { new GetDriftHistoryRequest { Model = "unknown" }, StatusCode.NotFound, "'unknown' is not monitored" },
        { new GetDriftHistoryRequest { Model = SyntheticModel.Name, Version = 9 }, StatusCode.NotFound, "versions with history: v1" },
        { new GetDriftHistoryRequest { Model = SyntheticModel.Name, Features = { "incom" } }, StatusCode.NotFound, "'incom'; its features: age, income, is_premium, score, tenure" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public void Bad_requests_are_refused_with_a_status_and_a_message_that_says_what_to_fix(GetDriftHistoryRequest request, StatusCode status, string message)
    {
        var monitor = Watching();
        new TrafficStream(monitor, 47).Send(600, Stationary);
        using var store = new MonitoringStore(DatabasePath);
        Checkpoint(store, monitor);

        var refused = FluentActions.Invoking(() => Get(Service(store), request)).Should().Throw<RpcException>().Which;

        refused.StatusCode.Should().Be(status);
        refused.Status.Detail.Should().Contain(message);
    }
}
