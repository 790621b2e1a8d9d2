using Cascade.Hosting;
using Cascade.Storage.OfflineStore;
using Microsoft.Extensions.Configuration;

namespace Cascade.Cli.Reproduce;

/// <summary>
/// The offline store the host's training workers read, opened as they open it: <c>Cascade:Infrastructure</c> from the
/// environment (<c>Cascade__Infrastructure__OfflineStore=postgres</c> and <c>Cascade__Infrastructure__Postgres</c> in a
/// distributed deployment, as its workers have them), else the all-in-one host's SQLite file under its data directory.
/// Reading it directly is what lets a version's rows be read again at its own watermark: no API serves offline rows.
/// </summary>
internal static class OfflineStoreAccess
{
    /// <exception cref="ArgumentException">The settings name an unknown store, or the all-in-one file does not exist.</exception>
    public static IOfflineStore Open(string dataDirectory)
    {
        var options = new ConfigurationBuilder().AddEnvironmentVariables().Build().GetSection(InfrastructureOptions.SectionName).Get<InfrastructureOptions>() ?? new InfrastructureOptions();
        switch (options.OfflineStore)
        {
            case "postgres":
                return new PostgresOfflineStore(options.PostgresConnectionString());
            case "sqlite":
                var path = string.IsNullOrEmpty(options.OfflineStorePath) ? Path.Combine(dataDirectory, "offline.db") : options.OfflineStorePath;
                // Opening a missing file would create an empty store and report every row as gone.
                return File.Exists(path)
                    ? new SqliteOfflineStore(path)
                    : throw new ArgumentException($"No offline store at {path}: give --data DIR, the host's data directory (./cascade up keeps it in .cascade), or set Cascade__Infrastructure__OfflineStore=postgres and Cascade__Infrastructure__Postgres as the workers have them.");
            default:
                throw new ArgumentException($"Cascade__Infrastructure__OfflineStore is '{options.OfflineStore}'; use sqlite or postgres.");
        }
    }
}
