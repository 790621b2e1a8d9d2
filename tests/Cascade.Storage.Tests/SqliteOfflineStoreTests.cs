using Cascade.Storage.OfflineStore;

namespace Cascade.Storage.Tests;

/// <summary>The offline store keeps one row per source record, so redelivery after a crash adds nothing and is not counted.</summary>
public sealed class SqliteOfflineStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cascade-offline-").FullName;

    private static OfflineFeatureRow Row(int partition, long offset, double? label) =>
        new($"e{offset}", DateTimeOffset.UnixEpoch.AddSeconds(offset), partition, offset, [offset, -offset], label);

    [Fact]
    public async Task A_redelivered_batch_adds_no_rows_and_reports_no_new_labeled_rows()
    {
        using var store = new SqliteOfflineStore(Path.Combine(_directory, "offline.db"));
        var batch = new[] { Row(0, 0, 1), Row(0, 1, null), Row(1, 0, 0) };

        (await store.AppendAsync("v", 1, batch)).Should().Be(2, "two of the three rows carry a label");
        (await store.AppendAsync("v", 1, [.. batch, Row(1, 1, 1)])).Should().Be(1, "only the new labeled row counts");

        (await store.CountLabeledAsync("v", 1)).Should().Be(3);
        var read = await store.ReadAsync("v", 1, new Dictionary<int, long> { [0] = 10, [1] = 10 }, labeledOnly: false);
        read.Select(r => (r.Partition, r.Offset)).Should().Equal((0, 0L), (0, 1L), (1, 0L), (1, 1L));
        read[0].Values.Should().Equal(0, -0.0);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
