using Microsoft.Data.Sqlite;

namespace Cascade.Storage.Sqlite;

/// <summary>How every embedded store opens its SQLite file: one long-lived connection, WAL, synchronous=NORMAL.</summary>
public static class SqliteFiles
{
    /// <summary>
    /// Opens (creating the directory and file if needed) a connection for a service's own store. WAL lets readers
    /// run beside the writer; synchronous=NORMAL in WAL mode keeps every committed transaction across a process crash
    /// (a power loss may lose the last ones). Pooling is off: the store owns its one connection.
    /// </summary>
    public static SqliteConnection OpenDurable(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;";
        command.ExecuteNonQuery();
        return connection;
    }
}
