using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.EventLog.Abstractions;
using Cascade.Ingestion.Storage;
using Google.Protobuf;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cascade.Ingestion.Domain;

/// <summary>
/// Publishes <c>DatasetRegistered</c> (a dataset's current columns and their privacy): Serving learns from it which
/// logged features come from sensitive columns. Published on every registration, and for every dataset at start and
/// then daily, because consumers learn schemas by replaying the topic from the start and the log's retention (7 days
/// on the embedded log) would otherwise leave it empty.
/// </summary>
public sealed partial class DatasetAnnouncer(IngestionStore store, IEventLog log, ILogger<DatasetAnnouncer> logger) : BackgroundService
{
    /// <summary>How often every dataset is announced again; well inside the shortest retention.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromDays(1);

    private const string Producer = "cascade-ingestion";
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>Publishes a dataset's schema version.</summary>
    public async Task AnnounceAsync(DatasetSpec spec, int version, CancellationToken cancellationToken) =>
        await log.AppendAsync(Topics.DatasetsRegistered, [Record(spec, version)], cancellationToken);

    /// <summary>The event of a schema version: its value columns with their privacy.</summary>
    public static DatasetRegistered ToEvent(DatasetSpec spec, int version)
    {
        var registered = new DatasetRegistered { Dataset = spec.Name, SchemaVersion = version, EntityColumn = spec.EntityColumn };
        registered.Columns.AddRange(spec.Columns.Select(c => new DatasetColumn { Name = c.Name, Type = c.Type, Sensitive = c.Sensitive, Privacy = c.Privacy }));
        return registered;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                var wait = Interval;
                try
                {
                    var records = store.Names().Select(store.Get).OfType<(DatasetSpec Spec, int Version, DateTimeOffset, DateTimeOffset, long)>()
                        .Select(d => Record(d.Spec, d.Version)).ToArray();
                    if (records.Length > 0) await log.AppendAsync(Topics.DatasetsRegistered, records, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The log is down: Serving keeps what it knew; try again shortly.
                    LogFailed(logger, ex);
                    wait = RetryDelay;
                }
                await Task.Delay(wait, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static OutgoingRecord Record(DatasetSpec spec, int version) =>
        new(spec.Name, EventEnvelopes.Wrap(ToEvent(spec, version), spec.Name, Producer).ToByteArray());

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not announce the datasets' schemas; retrying")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
