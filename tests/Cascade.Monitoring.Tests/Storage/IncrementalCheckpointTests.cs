using System.Text.Json;
using System.Text.Json.Serialization;
using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Options;
using Cascade.Monitoring.Storage;
using Cascade.Monitoring.Tests.Fixtures;
using Microsoft.Data.Sqlite;

namespace Cascade.Monitoring.Tests.Storage;

/// <summary>
/// A monitor's checkpoint writes its predictions waiting for labels as changes (not the whole set each time), and a
/// reopened store restores exactly the state the monitor had: after joins and drops, a version switch, a lost
/// checkpoint, and from a checkpoint written before the waiting predictions had their own table.
/// </summary>
public sealed class IncrementalCheckpointTests : IDisposable
{
    private static readonly SyntheticModel.Scenario Stationary = new();
    private static readonly JsonSerializerOptions CheckpointJson = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
    // A small capacity, so the traffic fills it and drops the oldest as a long run does.
    private static readonly MonitoringOptions Options = new() { Labels = new LabelJoinOptions { PendingCapacity = 300 } };
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-monitoring-checkpoint-").FullName;
    private readonly Draw _draw = new(61);
    private long _next;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private string DatabasePath => Path.Combine(_data, "monitoring.db");

    private static ModelMonitor Watching()
    {
        var monitor = new ModelMonitor(SyntheticModel.Name, Options);
        monitor.Activate(1, SyntheticModel.Profile(Stationary), ModelTask.BinaryClassification);
        return monitor;
    }

    /// <summary>
    /// Predictions, one a second; every third gets its label 20 predictions later (alternately by id and by entity),
    /// the others never do, so the waiting set both joins and drops.
    /// </summary>
    private void Send(ModelMonitor monitor, int count, int version = 1)
    {
        for (var k = 0; k < count; k++, _next++)
        {
            var x = SyntheticModel.DrawFeatures(_draw, Stationary);
            var p = SyntheticModel.Predict(x);
            monitor.Observe(SyntheticModel.Prediction(_next, version, x, p));
            var labelled = _next - 20;
            if (labelled < 0 || labelled % 3 != 0) continue;
            var label = SyntheticModel.Label(_draw, x, p, Stationary);
            monitor.Observe(labelled % 2 == 0
                ? new LabelRecord(SyntheticModel.Name, $"p{labelled}", null, SyntheticModel.Start.AddSeconds(_next), label)
                : new LabelRecord(SyntheticModel.Name, null, $"e{labelled % 500}", SyntheticModel.Start.AddSeconds(labelled + 0.5), label));
        }
    }

    private static MonitorCheckpoint Checkpoint(MonitoringStore store, ModelMonitor monitor)
    {
        var checkpoint = monitor.ExportCheckpoint()!;
        store.Checkpoint([(monitor.Model, monitor.Version!.Value, "sha", checkpoint)]);
        return checkpoint;
    }

    /// <summary>The monitor a restart builds from what the store holds.</summary>
    private ModelMonitor Restored()
    {
        using var store = new MonitoringStore(DatabasePath);
        var monitor = new ModelMonitor(SyntheticModel.Name, Options);
        monitor.Import(store.Watched().Single().State!, SyntheticModel.Profile(Stationary));
        return monitor;
    }

    private static string Json(ModelMonitor monitor) => JsonSerializer.Serialize(monitor.Export(), CheckpointJson);

    private static string[] WaitingIds(ModelMonitor monitor) => monitor.Export()!.Pending.Select(p => p.PredictionId).ToArray();

    [Fact]
    public void A_checkpoint_after_the_first_writes_only_the_predictions_that_arrived_or_left_since()
    {
        var monitor = Watching();
        using var store = new MonitoringStore(DatabasePath);
        Send(monitor, 1_000);
        var first = Checkpoint(store, monitor);
        var before = WaitingIds(monitor);

        Send(monitor, 40);
        var second = Checkpoint(store, monitor);

        var after = WaitingIds(monitor);
        first.Pending.Replace.Should().BeTrue();
        first.Pending.Added.Select(a => a.Prediction.PredictionId).Should().Equal(before, "the first checkpoint writes every waiting prediction");
        second.Pending.Replace.Should().BeFalse();
        second.Pending.Added.Select(a => a.Prediction.PredictionId).Should().Equal(after.Except(before), "only predictions that arrived since are written");
        second.Pending.Removed.Should().HaveCount(before.Except(after).Count(), "and only those that left are deleted");
        second.Pending.Added.Count.Should().BeLessThan(40);
        second.State.Pending.Should().BeEmpty("the waiting predictions are not written with the rest of the state");
    }

    [Fact]
    public void A_reopened_store_restores_the_same_state_after_many_incremental_checkpoints()
    {
        var monitor = Watching();
        using (var store = new MonitoringStore(DatabasePath))
        {
            for (var i = 0; i < 12; i++)
            {
                Send(monitor, 97);
                Checkpoint(store, monitor);
            }
        }

        monitor.Export()!.PendingDropped.Should().BePositive("the set filled and dropped its oldest between checkpoints");
        Json(Restored()).Should().Be(Json(monitor));
    }

    [Fact]
    public void A_checkpoint_that_was_not_stored_is_made_good_by_the_next_one()
    {
        var monitor = Watching();
        using (var store = new MonitoringStore(DatabasePath))
        {
            Send(monitor, 500);
            Checkpoint(store, monitor);
            Send(monitor, 100);
            monitor.ExportCheckpoint(); // taken, then the store failed
            monitor.CheckpointLost();
            Send(monitor, 100);
            Checkpoint(store, monitor).Pending.Replace.Should().BeTrue();
        }

        Json(Restored()).Should().Be(Json(monitor));
    }

    [Fact]
    public void A_new_version_replaces_the_stored_predictions_of_the_previous_one()
    {
        var monitor = Watching();
        using (var store = new MonitoringStore(DatabasePath))
        {
            Send(monitor, 500);
            Checkpoint(store, monitor);
            monitor.Activate(2, SyntheticModel.Profile(Stationary), ModelTask.BinaryClassification);
            Send(monitor, 30, version: 2);
            Checkpoint(store, monitor);
        }

        var restored = Restored();
        WaitingIds(restored).Should().Equal(WaitingIds(monitor)).And.HaveCount(30 - 3, "version 1's predictions are gone; 3 of version 2's joined");
        Json(restored).Should().Be(Json(monitor));
    }

    [Fact]
    public void A_checkpoint_holding_the_waiting_predictions_in_its_json_is_restored_and_then_moved_to_their_table()
    {
        var monitor = Watching();
        Send(monitor, 500);
        using (new MonitoringStore(DatabasePath)) { }
        using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            // What earlier versions wrote: the whole state, waiting predictions included, as JSON.
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO monitors (model, version, artifact_sha256, state) VALUES ($m, 1, 'sha', $s)";
            command.Parameters.AddWithValue("$m", monitor.Model);
            command.Parameters.AddWithValue("$s", Json(monitor));
            command.ExecuteNonQuery();
        }

        var restored = Restored();
        WaitingIds(restored).Should().HaveCount(300);
        Json(restored).Should().Be(Json(monitor));

        using (var store = new MonitoringStore(DatabasePath))
        {
            Checkpoint(store, restored).Pending.Replace.Should().BeTrue("a restored set is written whole once");
        }
        Json(Restored()).Should().Be(Json(monitor));
    }

    [Fact]
    public void A_checkpoint_written_as_a_row_per_prediction_is_restored_and_then_replaced_by_chunks()
    {
        var monitor = Watching();
        Send(monitor, 500);
        using (new MonitoringStore(DatabasePath)) { }
        using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            // What the previous version wrote: the state without the waiting predictions, and a row for each of them.
            connection.Open();
            using var state = connection.CreateCommand();
            state.CommandText = "INSERT INTO monitors (model, version, artifact_sha256, state) VALUES ($m, 1, 'sha', $s)";
            state.Parameters.AddWithValue("$m", monitor.Model);
            state.Parameters.AddWithValue("$s", JsonSerializer.Serialize(monitor.Export()! with { Pending = [] }, CheckpointJson));
            state.ExecuteNonQuery();
            var sequence = 0;
            foreach (var p in monitor.Export()!.Pending)
            {
                using var row = connection.CreateCommand();
                row.CommandText = """
                    INSERT INTO pending_predictions (model, sequence, prediction_id, entity_id, time_utc_ticks, log_offset, outputs, segment)
                    VALUES ($m, $q, $i, $e, $t, $o, $b, $s)
                    """;
                row.Parameters.AddWithValue("$m", monitor.Model);
                row.Parameters.AddWithValue("$q", sequence++);
                row.Parameters.AddWithValue("$i", p.PredictionId);
                row.Parameters.AddWithValue("$e", (object?)p.EntityId ?? DBNull.Value);
                row.Parameters.AddWithValue("$t", p.Time.UtcTicks);
                row.Parameters.AddWithValue("$o", p.Offset);
                row.Parameters.AddWithValue("$b", System.Runtime.InteropServices.MemoryMarshal.AsBytes(p.Outputs.AsSpan()).ToArray());
                row.Parameters.AddWithValue("$s", (object?)p.Segment ?? DBNull.Value);
                row.ExecuteNonQuery();
            }
        }

        var restored = Restored();
        Json(restored).Should().Be(Json(monitor));
        using (var store = new MonitoringStore(DatabasePath))
        {
            Checkpoint(store, restored).Pending.Replace.Should().BeTrue("a restored set is written whole once");
        }
        Count("pending_predictions").Should().Be(0, "the replacing checkpoint moved them into chunks");
        Json(Restored()).Should().Be(Json(monitor));
    }

    [Fact]
    public void What_left_is_noted_until_as_much_has_left_as_waits_then_the_set_is_written_whole_again()
    {
        var monitor = Watching();
        using var store = new MonitoringStore(DatabasePath);
        Send(monitor, 1_000);
        Checkpoint(store, monitor).Pending.Replace.Should().BeTrue();
        var replaced = 0;
        for (var i = 0; i < 40; i++)
        {
            Send(monitor, 50);
            if (Checkpoint(store, monitor).Pending.Replace) replaced++;
            // Stored: what waits, and what left since the last replacement (at most 1,024 here, or as many as wait) and since the last checkpoint.
            StoredPredictions().Should().BeLessThanOrEqualTo(300 + 1_024 + 50);
        }

        replaced.Should().BePositive("2,000 predictions went through a set of 300, so notes of what left piled up");
        (40 - replaced).Should().BePositive("and most checkpoints wrote only the changes");
        Json(Restored()).Should().Be(Json(monitor));
    }

    private long Count(string table)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }

    private long StoredPredictions()
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT predictions FROM pending_chunks";
        using var reader = command.ExecuteReader();
        var stored = 0L;
        while (reader.Read()) stored += PendingChunk.Read((byte[])reader.GetValue(0)).Count();
        return stored;
    }
}
