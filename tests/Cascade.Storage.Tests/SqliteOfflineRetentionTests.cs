using Cascade.Storage.OfflineStore;

namespace Cascade.Storage.Tests;

/// <summary>The embedded store's retention against <see cref="OfflineRetentionContract"/>, in a SQLite file of each test's own.</summary>
public sealed class SqliteOfflineRetentionTests : OfflineRetentionContract
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cascade-offline-retention-").FullName;

    protected override IOfflineStore Create() => new SqliteOfflineStore(Path.Combine(_directory, "offline.db"));

    protected override void DeleteStorage()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
