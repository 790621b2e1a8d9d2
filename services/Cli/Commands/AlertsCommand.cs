using System.CommandLine;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Monitoring.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Spectre.Console;

namespace Cascade.Cli.Commands;

/// <summary><c>cascade alerts watch|list|ack</c> and <c>cascade alerts health</c>: the ops console's view of Monitoring.</summary>
internal static class AlertsCommand
{
    public static Command Create()
    {
        var address = HostCall.AddressOption();
        var command = new Command("alerts", "Watch and list drift alerts of a running host; see a model's monitoring health.");
        command.Options.Add(address);

        var models = new Option<string[]>("--model") { Description = "Only alerts of these models (repeatable).", AllowMultipleArgumentsPerToken = true };
        var severity = new Option<string>("--min-severity") { Description = "info, warning or critical.", DefaultValueFactory = _ => "info" };
        severity.AcceptOnlyFromAmong("info", "warning", "critical");
        var replay = new Option<int>("--replay") { Description = "Recent alerts to show first (0–1000).", DefaultValueFactory = _ => 20 };
        var watch = new Command("watch", "Stream alerts as Monitoring raises them (Ctrl-C stops).") { models, severity, replay };
        watch.SetAction((parse, ct) => HostCall.RunAsync(parse, address, async channel =>
        {
            var request = new WatchAlertsRequest { MinSeverity = Severity(parse.GetValue(severity)!), Replay = parse.GetValue(replay) };
            request.Models.Add(parse.GetValue(models) ?? []);
            AnsiConsole.MarkupLine("[grey]watching alerts; Ctrl-C stops[/]");
            using var call = new Cascade.Contracts.Monitoring.V1.Monitoring.MonitoringClient(channel).WatchAlerts(request, cancellationToken: ct);
            try
            {
                await foreach (var alert in call.ResponseStream.ReadAllAsync(ct))
                {
                    AnsiConsole.MarkupLineInterpolated($"{alert.DetectedAt.ToDateTimeOffset():HH:mm:ss} [{Colour(alert.Severity)}]{Name(alert.Severity),-8}[/] {alert.Model} v{alert.Version} {alert.Summary} [grey]({alert.AlertId})[/]");
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && ct.IsCancellationRequested)
            {
            }
        }));

        var model = new Option<string>("--model") { Description = "Only alerts of this model." };
        var limit = new Option<int>("--limit") { Description = "Most recent alerts to list.", DefaultValueFactory = _ => 50 };
        var list = new Command("list", "List recent alerts, newest first.") { model, limit };
        list.SetAction((parse, ct) => HostCall.RunAsync(parse, address, async channel =>
        {
            var alerts = await new Cascade.Contracts.Monitoring.V1.Monitoring.MonitoringClient(channel).ListAlertsAsync(new ListAlertsRequest { Model = parse.GetValue(model) ?? string.Empty, Limit = parse.GetValue(limit) }, HostCall.Timeout(ct));
            // The severity is what a reader scans for: kept whole however narrow the terminal (the other columns wrap).
            var table = new Table().AddColumn("detected").AddColumn(new TableColumn("severity").NoWrap())
                .AddColumns("model", "kind", "evidence", "top features", "alert", "acknowledged");
            foreach (var alert in alerts.Alerts)
            {
                var acknowledged = alerts.Acknowledgements.TryGetValue(alert.AlertId, out var by) ? $"by {by.Actor} at {by.At.ToDateTimeOffset():u}" : "no";
                table.AddRow(alert.DetectedAt.ToDateTimeOffset().ToString("u"), $"[{Colour(alert.Severity)}]{Name(alert.Severity)}[/]", $"{alert.Model} v{alert.Version}", alert.Kind.ToString(),
                    Markup.Escape($"{alert.Statistic} {alert.Value:G3} (threshold {alert.Threshold:G3})"), Markup.Escape(string.Join(", ", alert.TopFeatures.Select(f => f.Feature))), Markup.Escape(alert.AlertId),
                    Markup.Escape(acknowledged));
            }
            AnsiConsole.Write(table);
        }));

        var alertId = new Argument<string>("alert-id") { Description = "The alert to acknowledge." };
        var actor = new Option<string>("--actor") { Description = "Who acknowledges it.", DefaultValueFactory = _ => Environment.UserName };
        var ack = new Command("ack", "Acknowledge an alert.") { alertId, actor };
        ack.SetAction((parse, ct) => HostCall.RunAsync(parse, address, async channel =>
        {
            await new Cascade.Contracts.Monitoring.V1.Monitoring.MonitoringClient(channel).AcknowledgeAlertAsync(new AcknowledgeAlertRequest { AlertId = parse.GetValue(alertId)!, Actor = parse.GetValue(actor)! }, HostCall.Timeout(ct));
            AnsiConsole.MarkupLineInterpolated($"acknowledged {parse.GetValue(alertId)}");
        }));

        var name = new Argument<string>("model") { Description = "Model name." };
        var health = new Command("health", "A model's monitoring health: the watched version, drift per feature, detectors.") { name };
        health.SetAction((parse, ct) => HostCall.RunAsync(parse, address, async channel =>
        {
            var result = await new Cascade.Contracts.Monitoring.V1.Monitoring.MonitoringClient(channel).GetModelHealthAsync(new GetModelHealthRequest { Model = parse.GetValue(name)! }, HostCall.Timeout(ct));
            AnsiConsole.MarkupLineInterpolated($"{result.Model} v{result.Version}: {result.PredictionsSeen:N0} predictions seen, {result.LabelsJoined:N0} labels joined, window {result.WindowSize}");
            if (result.NoReferenceProfile)
            {
                AnsiConsole.MarkupLineInterpolated($"[yellow]no reference: v{result.Version} has no reference profile (imported without --sample), so drift is not measured[/]");
            }
            // A categorical column is judged on its categories (chi-squared, JS): PSI, KS and Wasserstein are NaN for it.
            var table = new Table().AddColumns("feature", "PSI", "KS D", "KS p", "Jensen-Shannon", "Wasserstein", "chi-squared p", "categories moved most");
            foreach (var feature in result.Features.Append(result.Prediction).Where(f => f is not null))
            {
                var categorical = feature.Categories.Count > 0;
                var moved = string.Join(", ", feature.Categories.Select(c => $"{c.Category} {c.ReferenceShare:P0} → {c.WindowShare:P0}"));
                table.AddRow(Markup.Escape(feature.Feature), $"{feature.Psi:F3}", $"{feature.KsStatistic:F3}", $"{feature.KsPValue:G3}", $"{feature.JensenShannon:F3}", $"{feature.Wasserstein:F3}",
                    categorical ? $"{feature.ChiSquaredPValue:G3}" : "", Markup.Escape(moved));
            }
            AnsiConsole.Write(table);
            if (result.WithheldFeatures.Count > 0)
            {
                AnsiConsole.MarkupLineInterpolated($"[grey]not measured (sensitive columns, withheld from the prediction log): {string.Join(", ", result.WithheldFeatures)}[/]");
            }
            foreach (var detector in result.Detectors)
            {
                AnsiConsole.MarkupLineInterpolated($"{detector.Name}: estimate {detector.Estimate:F4}, width {detector.Width}, detections {detector.Detections}");
            }
        }));

        command.Subcommands.Add(watch);
        command.Subcommands.Add(list);
        command.Subcommands.Add(ack);
        command.Subcommands.Add(health);
        return command;
    }

    private static Severity Severity(string name) => name switch
    {
        "critical" => Contracts.Events.V1.Severity.Critical,
        "warning" => Contracts.Events.V1.Severity.Warning,
        _ => Contracts.Events.V1.Severity.Info,
    };

    private static string Name(Severity severity) => severity.ToString().ToUpperInvariant();

    private static string Colour(Severity severity) => severity switch
    {
        Contracts.Events.V1.Severity.Critical => "red",
        Contracts.Events.V1.Severity.Warning => "yellow",
        _ => "blue",
    };
}
