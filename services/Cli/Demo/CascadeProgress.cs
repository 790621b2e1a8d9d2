using Cascade.Contracts;
using System.Diagnostics;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Registry.V1;
using Cascade.Contracts.Training.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Spectre.Console;

namespace Cascade.Cli.Demo;

/// <summary>The waits of the demo after the stream ends: features caught up, the drift answered, training settled.</summary>
internal static class CascadeProgress
{
    /// <summary>Waits until Features has materialized everything ingested; returns its status and the wait after the last ack.</summary>
    public static async Task<(MaterializationStatus Status, double WaitedMs)> AwaitMaterializationAsync(CascadeChannels channels, IngestResponse ingested, CancellationToken cancellationToken)
    {
        var target = ingested.Watermark.Partitions.ToDictionary(p => p.Partition, p => p.Offset);
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < TimeSpan.FromMinutes(2))
        {
            var status = await new Cascade.Contracts.Features.V1.Features.FeaturesClient(channels.Features).GetMaterializationStatusAsync(new GetMaterializationStatusRequest { FeatureView = DemoDataset.FeatureView }, GrpcCalls.Within(TimeSpan.FromSeconds(10), cancellationToken));
            var reached = status.Watermark.Partitions.ToDictionary(p => p.Partition, p => p.Offset);
            if (target.All(t => reached.GetValueOrDefault(t.Key) >= t.Value))
            {
                AnsiConsole.MarkupLineInterpolated($"features materialized up to the ingest watermark ({status.LabeledRows:N0} labeled training rows) {stopwatch.Elapsed.TotalMilliseconds:F0} ms after the last ack; freshness (append → online store) p50 {status.FreshnessP50Ms:F1} ms, p99 {status.FreshnessP99Ms:F1} ms over {status.FreshnessSamples:N0} records");
                return (status, stopwatch.Elapsed.TotalMilliseconds);
            }
            await Task.Delay(20, cancellationToken);
        }
        throw new TimeoutException("Features did not reach the ingest watermark within 2 minutes.");
    }

    /// <summary>Waits for the first drift alert, then for the drift retrain it schedules to be queued (each up to <paramref name="limit"/>).</summary>
    public static async Task AwaitDriftResponseAsync(CascadeChannels channels, AlertWatcher alerts, TimeSpan limit, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        while (alerts.Received.IsEmpty && stopwatch.Elapsed < limit) await Task.Delay(100, cancellationToken);
        if (alerts.Received.IsEmpty)
        {
            AnsiConsole.MarkupLine("[yellow]no drift alert arrived[/]");
            return;
        }
        stopwatch.Restart();
        while (stopwatch.Elapsed < limit)
        {
            var jobs = await new Cascade.Contracts.Training.V1.Training.TrainingClient(channels.Training).ListJobsAsync(new ListJobsRequest { Model = DemoDataset.Model }, GrpcCalls.Within(TimeSpan.FromSeconds(10), cancellationToken));
            if (jobs.Jobs.Any(j => j.Spec.Trigger == TriggerKind.Drift)) return;
            await Task.Delay(100, cancellationToken);
        }
        AnsiConsole.MarkupLine("[yellow]no drift retrain was queued[/]");
    }

    /// <summary>Waits until no training job is queued or running, then shows the registry's view of the model.</summary>
    public static async Task<(int Versions, int Promotions, IReadOnlyList<TrainingJob> Jobs)> AwaitTrainingAsync(CascadeChannels channels, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        ListJobsResponse jobs;
        while (true)
        {
            jobs = await new Cascade.Contracts.Training.V1.Training.TrainingClient(channels.Training).ListJobsAsync(new ListJobsRequest { Model = DemoDataset.Model }, GrpcCalls.Within(TimeSpan.FromSeconds(10), cancellationToken));
            if (jobs.Jobs.All(j => j.Status.State is JobState.Succeeded or JobState.Failed or JobState.Cancelled) || stopwatch.Elapsed > TimeSpan.FromMinutes(5))
            {
                break;
            }
            await Task.Delay(250, cancellationToken);
        }
        var versions = await new Cascade.Contracts.Registry.V1.Registry.RegistryClient(channels.Registry).ListAllModelVersionsAsync(DemoDataset.Model, GrpcCalls.Within(TimeSpan.FromSeconds(10), cancellationToken));
        var audit = await new Cascade.Contracts.Registry.V1.Registry.RegistryClient(channels.Registry).GetAuditLogAsync(new GetAuditLogRequest { Model = DemoDataset.Model }, GrpcCalls.Within(TimeSpan.FromSeconds(10), cancellationToken));
        var table = new Table().AddColumns("version", "status", "trigger", "training rows", "holdout AUC", "champion AUC (same holdout)", "duration");
        foreach (var version in versions)
        {
            var holdout = version.Spec.Holdout;
            table.AddRow($"v{version.Meta.Version}", version.Meta.Status.ToString(), Markup.Escape(Shorten(version.Spec.Lineage.TriggerReason, 60)), version.Spec.Lineage.TrainingRows.ToString("N0"),
                holdout.CandidateMetrics.TryGetValue("auc", out var auc) ? auc.ToString("F4") : "-",
                holdout.ChampionMetrics.TryGetValue("auc", out var championAuc) ? $"{championAuc:F4} (v{holdout.ChampionVersion})" : "-",
                $"{version.Spec.Lineage.Duration.ToTimeSpan().TotalSeconds:F1} s");
        }
        AnsiConsole.Write(table);
        var promotions = audit.Entries.Count(e => e.Action is "Promoted" or "PromotedManually");
        var failed = jobs.Jobs.Count(j => j.Status.State == JobState.Failed);
        var retrains = jobs.Jobs.Count(j => j.Spec.Trigger == TriggerKind.Drift);
        AnsiConsole.MarkupLineInterpolated($"{jobs.Jobs.Count} training jobs ({retrains} answering drift, {failed} failed), {versions.Count} model versions, {promotions} promotions");
        foreach (var job in jobs.Jobs.Where(j => j.Status.State == JobState.Failed))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]job {job.Id} failed:[/] {job.Status.Error}");
        }
        return (versions.Count, promotions, jobs.Jobs);
    }

    public static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
