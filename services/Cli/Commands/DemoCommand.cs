using Cascade.Contracts;
using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Cascade.Cli.Demo;
using Cascade.Cli.Distributed;
using Cascade.Contracts.Serving.V1;
using Cascade.Contracts.Training.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Health.V1;
using Cascade.Host;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Cascade.Cli.Commands;

/// <summary>
/// <c>cascade demo</c>: the README's main job. Starts the all-in-one host and runs the whole cascade against it as
/// its users would, over gRPC: a producer streams records with a scheduled concept drift, a client keeps predicting,
/// an ops console watches alerts; features, training, promotion, hot swaps, drift detection and the drift retrain
/// happen inside without anyone's help. Ends with tables and, with --json, a summary file.
/// </summary>
internal static class DemoCommand
{
    private static readonly string[] Services =
    [
        "cascade.ingestion.v1.Ingestion", "cascade.features.v1.Features", "cascade.training.v1.Training", "cascade.registry.v1.Registry",
        "cascade.serving.v1.Serving", "inference.GRPCInferenceService", "cascade.monitoring.v1.Monitoring",
    ];

    public static Command Create()
    {
        var endpoints = new HostEndpointOptions();
        var events = new Option<int>("--events") { Description = "Records to stream.", DefaultValueFactory = _ => 40_000 };
        var driftAt = new Option<int>("--drift-at") { Description = "Record from which the concept drifts.", DefaultValueFactory = _ => 20_000 };
        var rate = new Option<int>("--rate") { Description = "Records per second the producer sends.", DefaultValueFactory = _ => 2_500 };
        var json = new Option<FileInfo?>("--json") { Description = "Write the summary as JSON to this file." };
        var keep = new Option<bool>("--keep") { Description = "Leave the host running afterwards (Ctrl-C stops it)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic data (the same seed tells the same story).", DefaultValueFactory = _ => RecordStreamer.DefaultSeed };
        var distributed = new Option<bool>("--distributed") { Description = "Run the services of tye.yaml as separate processes on the local infrastructure (./cascade infra up first)." };
        var command = new Command("demo", "Run the cascade on the embedded all-in-one default and show it live.");
        endpoints.AddTo(command);
        command.Options.Add(events);
        command.Options.Add(driftAt);
        command.Options.Add(rate);
        command.Options.Add(json);
        command.Options.Add(keep);
        command.Options.Add(seed);
        command.Options.Add(distributed);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(events) < 1 || parse.GetValue(rate) < 1 || parse.GetValue(driftAt) < 0)
            {
                AnsiConsole.MarkupLine("[red]--events and --rate must be at least 1, --drift-at at least 0.[/]");
                return 2;
            }
            if (parse.GetValue(distributed))
            {
                return await RunDistributedAsync(parse.GetValue(events), parse.GetValue(driftAt), parse.GetValue(rate), parse.GetValue(seed), parse.GetValue(json), parse.GetValue(keep), cancellationToken);
            }
            var options = endpoints.Read(parse);
            if (parse.GetResult(endpoints.DataDirectory) is null)
            {
                // Each demo starts from nothing, in its own directory, so re-runs tell the same story.
                options.DataDirectory = Path.Combine(".cascade", "demo");
            }
            if (Directory.Exists(options.DataDirectory))
            {
                AnsiConsole.MarkupLineInterpolated($"starting from an empty data directory: removing {options.DataDirectory}");
                Directory.Delete(options.DataDirectory, recursive: true);
            }
            await using var app = AllInOneHost.Build(options);
            await app.StartAsync(cancellationToken);
            var (grpc, http) = AllInOneHost.GetAddresses(app, options);
            AnsiConsole.MarkupLineInterpolated($"[green]host up[/]: gRPC {grpc}, HTTP {http}");
            var served = Cascade.Hosting.Grpc.GrpcHosting.ServedServices(app.Services).ToHashSet();
            var missing = Services.Where(s => !served.Contains(s)).ToArray();
            if (missing.Length > 0)
            {
                throw new InvalidOperationException($"This build does not serve {string.Join(", ", missing)}: the cascade cannot run.");
            }

            using var channel = GrpcChannel.ForAddress(grpc);
            var health = await new Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), GrpcCalls.Within(TimeSpan.FromSeconds(10), cancellationToken));
            AnsiConsole.MarkupLineInterpolated($"grpc.health.v1.Health/Check → [bold]{health.Status}[/]; serving {served.Count} services");

            var summary = await RunCascadeAsync(channel, parse.GetValue(events), parse.GetValue(driftAt), parse.GetValue(rate), cancellationToken, parse.GetValue(seed));
            summary["health"] = health.Status.ToString();
            await WriteSummaryAsync(summary, parse.GetValue(json), cancellationToken);
            if (parse.GetValue(keep))
            {
                AnsiConsole.MarkupLineInterpolated($"--keep: the host stays up on {grpc}, the ops console on {http}/ (try ./cascade models list, ./cascade alerts watch, ./cascade jobs list); Ctrl-C stops it.");
                try { await Task.Delay(Timeout.Infinite, cancellationToken); } catch (OperationCanceledException) { }
            }
            await app.StopAsync(CancellationToken.None);
            return health.Status == HealthCheckResponse.Types.ServingStatus.Serving && (long)summary["failed_requests"]! == 0 ? 0 : 1;
        });
        return command;
    }

    /// <summary>The same scenario with every service in its own process, on Kafka, Redis, PostgreSQL, S3 and RabbitMQ.</summary>
    private static async Task<int> RunDistributedAsync(int events, int driftAt, int rate, int seed, FileInfo? json, bool keep, CancellationToken cancellationToken)
    {
        var root = Topology.FindRepositoryRoot();
        DistributedCluster started;
        try
        {
            started = await DistributedCluster.StartFreshAsync(root, cancellationToken);
        }
        catch (EarlierRunException ex)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{ex.Message}[/]");
            return 2;
        }
        await using var cluster = started;
        var summary = await RunCascadeAsync(cluster.Channels, events, driftAt, rate, cancellationToken, seed);
        summary["deployment"] = "distributed";
        summary["processes"] = cluster.Services.SelectMany(s => s.Instances).ToArray();
        summary["process_restarts"] = cluster.Restarts.Values.Sum();
        await WriteSummaryAsync(summary, json, cancellationToken);
        if (keep)
        {
            AnsiConsole.MarkupLine("--keep: the services stay up (ports in tye.yaml; e.g. ./cascade models list --address http://127.0.0.1:50054; the ops console on http://127.0.0.1:8089/); Ctrl-C stops them.");
            try { await Task.Delay(Timeout.Infinite, cancellationToken); } catch (OperationCanceledException) { }
        }
        return (long)summary["failed_requests"]! == 0 ? 0 : 1;
    }

    private static async Task WriteSummaryAsync(Dictionary<string, object?> summary, FileInfo? json, CancellationToken cancellationToken)
    {
        if (json is null) return;
        await File.WriteAllTextAsync(json.FullName, JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }), cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"summary written to {json.FullName}");
    }

    /// <summary>The scenario: producer, prediction load and alert console run at once; returns the summary.</summary>
    internal static Task<Dictionary<string, object?>> RunCascadeAsync(GrpcChannel channel, int events, int driftAt, int rate, CancellationToken cancellationToken, int seed = RecordStreamer.DefaultSeed) =>
        RunCascadeAsync(CascadeChannels.Single(channel), events, driftAt, rate, cancellationToken, seed);

    internal static async Task<Dictionary<string, object?>> RunCascadeAsync(CascadeChannels channels, int events, int driftAt, int rate, CancellationToken cancellationToken, int seed = RecordStreamer.DefaultSeed)
    {
        var clock = Stopwatch.StartNew();
        var startedAt = DateTimeOffset.UtcNow; // the demo clock's zero on the wall clock, to place when Monitoring detected an alert
        await RecordStreamer.SetUpAsync(channels, cancellationToken);
        var streamer = new RecordStreamer(clock);
        var load = new PredictionLoad(clock);
        var alerts = new AlertWatcher(clock, () => streamer.Sent);
        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var loadTask = load.RunAsync(channels.Serving, DemoDataset.Model, stopLoad.Token);
        var alertTask = alerts.RunAsync(channels.Monitoring, DemoDataset.Model, stopLoad.Token);

        var ingested = await streamer.StreamAsync(channels.Ingestion, events, driftAt, rate, cancellationToken, seed);
        var (materialization, caughtUpMs) = await CascadeProgress.AwaitMaterializationAsync(channels, ingested, cancellationToken);
        if (events > driftAt)
        {
            await CascadeProgress.AwaitDriftResponseAsync(channels, alerts, TimeSpan.FromSeconds(30), cancellationToken);
        }
        var (versions, promotions, jobs) = await CascadeProgress.AwaitTrainingAsync(channels, cancellationToken);
        // Let the last promotion reach serving before the load stops.
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        await stopLoad.CancelAsync();
        await Task.WhenAll(loadTask, alertTask);

        var serving = await new Cascade.Contracts.Serving.V1.Serving.ServingClient(channels.Serving).GetServingStatusAsync(new GetServingStatusRequest(), GrpcCalls.Within(TimeSpan.FromSeconds(10), cancellationToken));
        var swaps = serving.Models.FirstOrDefault(m => m.Model == DemoDataset.Model)?.Swaps ?? 0;
        var oipChecked = swaps > 0 && await OpenInferenceCheck.RunAsync(channels.Serving, DemoDataset.Model, cancellationToken);

        var received = alerts.Received.ToArray();
        ShowAlerts(received);
        foreach (var error in load.Errors.Keys.Take(5))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]failed request:[/] {error}");
        }
        AnsiConsole.MarkupLineInterpolated($"serving: {load.Predictions:N0} predictions during the run ({string.Join(", ", load.ByVersion.OrderBy(v => v.Key).Select(v => $"v{v.Key}: {v.Value:N0}"))}), {load.Failed} failed requests, {swaps} swaps");

        var latency = StageLatencies(streamer, load, received, jobs, materialization.FreshnessP99Ms, startedAt);
        ShowLatencies(latency, load);
        return new Dictionary<string, object?>
        {
            ["deployment"] = "all-in-one",
            ["model"] = DemoDataset.Model,
            ["seed"] = seed,
            ["drift_at"] = driftAt < events ? driftAt : null,
            ["records_ingested"] = ingested.Accepted,
            ["records_rejected"] = ingested.Errors.Count,
            ["ingest_rate_target"] = rate,
            ["features_caught_up_after_last_ack_ms"] = Math.Round(caughtUpMs, 1),
            ["training_jobs"] = jobs.Count,
            ["failed_training_jobs"] = jobs.Count(j => j.Status.State == JobState.Failed),
            ["model_versions"] = versions,
            ["promotions"] = promotions,
            ["swaps"] = swaps,
            ["drift_alerts"] = received.Select(r => r.Alert.AlertId).Distinct().Count(),
            // Every alert the console received, with the number of records the producer had sent by then (the count
            // drift_alert_records_after_change is based on): a run without drift should list none.
            ["alerts"] = received.Select(r => new Dictionary<string, object?>
            {
                ["alert_id"] = r.Alert.AlertId,
                ["severity"] = r.Alert.Severity.ToString().ToUpperInvariant(),
                ["kind"] = r.Alert.Kind.ToString(),
                ["record"] = r.RecordsSent,
                ["received_ms"] = Math.Round(r.ReceivedMs, 1),
                ["detected_ms"] = DetectedMs(r.Alert, startedAt),
            }).ToArray(),
            ["drift_alert_records_after_change"] = FirstAlertAfterDrift(streamer, received) is { } first ? first.RecordsSent - driftAt : null,
            ["retrains"] = jobs.Count(j => j.Spec.Trigger == TriggerKind.Drift),
            ["predictions"] = load.Predictions,
            ["failed_requests"] = load.Failed,
            ["oip_model_infer_checked"] = oipChecked,
            ["stage_latency_ms"] = latency,
        };
    }

    private static Dictionary<string, double?> StageLatencies(RecordStreamer streamer, PredictionLoad load, (Contracts.Events.V1.DriftDetected Alert, double ReceivedMs, long RecordsSent)[] alerts, IReadOnlyList<TrainingJob> jobs, double freshnessP99,
        DateTimeOffset startedAt)
    {
        var afterDrift = FirstAlertAfterDrift(streamer, alerts);
        // The first drift retrain whose model went live: from the earliest alert it answered to its first prediction.
        var answered = jobs
            .Where(j => j.Spec.Trigger == TriggerKind.Drift && j.Status.Promoted && load.FirstAnsweredMs.ContainsKey(j.Status.ModelVersion))
            .Select(j => (Live: load.FirstAnsweredMs[j.Status.ModelVersion], Alerted: alerts.Where(a => j.Spec.AlertIds.Contains(a.Alert.AlertId)).Select(a => (double?)a.ReceivedMs).Min()))
            .Where(j => j.Alerted is not null)
            .OrderBy(j => j.Live)
            .FirstOrDefault();
        var (_, steadyP99, swapP99, swapMax) = load.Latencies(TimeSpan.FromMilliseconds(500));
        return new Dictionary<string, double?>
        {
            ["ingest_to_online_p99"] = Math.Round(freshnessP99, 2),
            ["drift_to_alert"] = afterDrift is { } a && streamer.DriftSentMs is { } d ? Math.Round(a.ReceivedMs - d, 1) : null,
            // Of which Monitoring's detection (by its clock, on the same machine): the rest is the alert's way to the console.
            ["drift_to_detection"] = afterDrift is { } b && streamer.DriftSentMs is { } e && DetectedMs(b.Alert, startedAt) is { } detected ? Math.Round(detected - e, 1) : null,
            ["alert_to_model_live"] = answered.Alerted is { } alerted ? Math.Round(answered.Live - alerted, 1) : null,
            ["swap_pause_max"] = Math.Round(swapMax, 2),
            ["swap_p99"] = Math.Round(swapP99, 2),
            ["steady_p99"] = Math.Round(steadyP99, 2),
        };
    }

    /// <summary>When Monitoring detected an alert, on the demo clock; null when the alert carries no time.</summary>
    private static double? DetectedMs(Contracts.Events.V1.DriftDetected alert, DateTimeOffset startedAt) =>
        alert.DetectedAt is null ? null : Math.Round((alert.DetectedAt.ToDateTimeOffset() - startedAt).TotalMilliseconds, 1);

    /// <summary>The first alert received once drifted records were being sent (earlier alerts are not about this drift).</summary>
    private static (Contracts.Events.V1.DriftDetected Alert, double ReceivedMs, long RecordsSent)? FirstAlertAfterDrift(RecordStreamer streamer, (Contracts.Events.V1.DriftDetected Alert, double ReceivedMs, long RecordsSent)[] alerts) =>
        streamer.DriftSentMs is { } drift && alerts.Any(a => a.ReceivedMs >= drift) ? alerts.First(a => a.ReceivedMs >= drift) : null;

    private static void ShowAlerts((Contracts.Events.V1.DriftDetected Alert, double ReceivedMs, long RecordsSent)[] alerts)
    {
        var table = new Table().AddColumns("alert (WatchAlerts)", "severity", "kind", "evidence", "records sent");
        foreach (var (alert, _, sent) in alerts.Take(10))
        {
            table.AddRow(Markup.Escape(alert.AlertId), alert.Severity.ToString(), alert.Kind.ToString(),
                Markup.Escape($"{alert.Statistic} {alert.Value:G3} vs {alert.Threshold:G3}; top: {string.Join(", ", alert.TopFeatures.Take(3).Select(f => f.Feature))}"), sent.ToString("N0"));
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"{alerts.Length} drift alert(s) streamed to the console");
    }

    private static void ShowLatencies(Dictionary<string, double?> latency, PredictionLoad load)
    {
        var (p50, p99, _, _) = load.Latencies(TimeSpan.FromMilliseconds(500));
        var table = new Table().AddColumns("stage", "ms");
        foreach (var (stage, value) in latency) table.AddRow(stage, value?.ToString("N1") ?? "-");
        table.AddRow("prediction p50 / p99 (steady, client side)", $"{p50:N2} / {p99:N2}");
        AnsiConsole.Write(table);
    }
}
