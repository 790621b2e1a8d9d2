using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.EventLog.Abstractions;
using Cascade.Features.Domain;
using Cascade.Features.Storage;
using Google.Protobuf;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cascade.Features.Sources;

/// <summary>
/// Publishes <c>FeatureViewApplied</c> (each feature of a view version and the dataset column it reads): Serving joins
/// it with the datasets' schemas to withhold the features of sensitive columns from the prediction log. Published on
/// every apply, and for every stored version at start and then daily, because a consumer learns them by replaying the
/// topic from the start and the log's retention (7 days on the embedded log) would otherwise leave it empty.
/// </summary>
public sealed partial class FeatureSourceAnnouncer(FeatureStateStore store, IEventLog log, ILogger<FeatureSourceAnnouncer> logger) : BackgroundService
{
    /// <summary>How often every view version is announced again; well inside the shortest retention.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromDays(1);

    private const string Producer = "cascade-features";
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>Publishes one view version's sources.</summary>
    public async Task AnnounceAsync(FeatureViewDefinition view, CancellationToken cancellationToken) =>
        await log.AppendAsync(Topics.FeatureViewsApplied, [Record(view)], cancellationToken);

    /// <summary>The event of a view version: its numeric features, then each categorical column's encodings, in model order.</summary>
    public static FeatureViewApplied ToEvent(FeatureViewDefinition view)
    {
        var applied = new FeatureViewApplied { FeatureView = view.Name, Version = view.Version, Dataset = view.Spec.Dataset };
        applied.Features.AddRange(view.Features.Select(f => new FeatureSource { Feature = f.Name, Column = f.Source }));
        applied.Features.AddRange(view.Categoricals.SelectMany(c => c.FeatureNames.Select(name => new FeatureSource { Feature = name, Column = c.Column, Categorical = true })));
        return applied;
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
                    var records = store.AllVersions().Select(Record).ToArray();
                    if (records.Length > 0) await log.AppendAsync(Topics.FeatureViewsApplied, records, stoppingToken);
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

    private static OutgoingRecord Record(FeatureViewDefinition view) =>
        new(view.Name, EventEnvelopes.Wrap(ToEvent(view), view.Name, Producer).ToByteArray());

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not announce the feature views' sources; retrying")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
