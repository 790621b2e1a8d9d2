using Cascade.Training.Storage;

namespace Cascade.Training.Tests;

/// <summary>The stored side of drift retrains: one pending retrain per ongoing drift, joined by later alerts, kept across a restart.</summary>
public sealed class DriftRetrainBookkeepingTests : IDisposable
{
    private readonly string _path = Path.Combine(Directory.CreateTempSubdirectory("cascade-drift-").FullName, "training.db");

    [Fact]
    public void The_first_alert_of_a_drift_schedules_one_retrain_that_later_alerts_join()
    {
        using var store = new TrainingStore(_path);
        var due = DateTimeOffset.UtcNow.AddSeconds(2);

        store.AddDriftAlert("m", "m/v1/feature-drift", "a1", "drift: x0", due).Should().BeTrue();
        store.AddDriftAlert("m", "m/v1/prediction-drift", "a2", "drift: prediction", due.AddSeconds(5)).Should().BeTrue();

        var pending = store.PendingDriftRetrains().Should().ContainSingle().Subject;
        pending.DueAt.ToUnixTimeMilliseconds().Should().Be(due.ToUnixTimeMilliseconds(), "later alerts join the retrain already waiting, they do not postpone it");
        pending.AlertIds.Should().Equal("a1", "a2");
        pending.Reason.Should().Be("drift: x0");
    }

    [Fact]
    public void A_redelivered_alert_of_a_drift_already_seen_schedules_nothing()
    {
        using var store = new TrainingStore(_path);
        store.AddDriftAlert("m", "m/v1/feature-drift", "a1", "drift", DateTimeOffset.UtcNow).Should().BeTrue();
        store.DropDriftRetrain("m");

        store.AddDriftAlert("m", "m/v1/feature-drift", "a1", "drift", DateTimeOffset.UtcNow).Should().BeFalse();
        store.PendingDriftRetrains().Should().BeEmpty();
    }

    [Fact]
    public void A_waiting_retrain_survives_a_restart()
    {
        using (var store = new TrainingStore(_path))
        {
            store.AddDriftAlert("m", "m/v2/feature-drift", "a9", "drift", DateTimeOffset.UtcNow).Should().BeTrue();
        }
        using var reopened = new TrainingStore(_path);
        reopened.PendingDriftRetrains().Should().ContainSingle(p => p.Model == "m" && p.AlertIds.Contains("a9"));
    }

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_path)!, recursive: true);
}
