using System.CommandLine;
using Cascade.Contracts;
using Cascade.Contracts.Registry.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Spectre.Console;

namespace Cascade.Cli.Commands;

/// <summary><c>cascade models list|show|promote|rollback|import|reproduce|wait</c> against a running host's Registry.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var address = HostCall.AddressOption();
        var command = new Command("models", "Inspect and govern models in a running host's registry.");
        command.Options.Add(address);

        var list = new Command("list", "List models with their champion, challenger and latest version.");
        list.SetAction((parse, ct) => HostCall.RunAsync(parse, address, async channel =>
        {
            var models = await new Cascade.Contracts.Registry.V1.Registry.RegistryClient(channel).ListModelsAsync(new ListModelsRequest(), HostCall.Timeout(ct));
            var table = new Table().AddColumns("model", "task", "champion", "challenger", "latest", "created");
            foreach (var model in models.Models)
            {
                table.AddRow(model.Name, model.Task.ToString(), HostCall.Version(model.ChampionVersion), HostCall.Version(model.ChallengerVersion), HostCall.Version(model.LatestVersion), model.CreatedAt.ToDateTimeOffset().ToString("u"));
            }
            AnsiConsole.Write(table);
        }));

        var name = new Argument<string>("model") { Description = "Model name." };
        var show = new Command("show", "Show a model's versions (metrics, lineage, status) and its audit log.") { name };
        show.SetAction((parse, ct) => HostCall.RunAsync(parse, address, async channel =>
        {
            var model = parse.GetValue(name)!;
            var versions = await new Cascade.Contracts.Registry.V1.Registry.RegistryClient(channel).ListAllModelVersionsAsync(model, HostCall.Timeout(ct));
            var table = new Table().AddColumns("version", "status", "aliases", "holdout", "job", "dataset watermark", "code", "artifact");
            foreach (var version in versions)
            {
                var holdout = string.Join(" ", version.Spec.Holdout?.CandidateMetrics.Select(m => $"{m.Key}={m.Value:F4}") ?? []);
                var watermark = version.Spec.Lineage?.Watermark is { } w ? string.Join(" ", w.Partitions.Select(p => $"{p.Partition}:{p.Offset}")) : "";
                table.AddRow($"v{version.Meta.Version}", version.Meta.Status.ToString(), string.Join(",", version.Meta.Aliases), holdout,
                    version.Spec.Lineage?.TrainingJobId ?? "", watermark, version.Spec.Lineage?.CodeVersion ?? "",
                    version.Spec.ArtifactSha256[..12] + (version.Meta.ArtifactCollectedAt is null ? "" : " (collected)"));
            }
            AnsiConsole.Write(table);
            var audit = await new Cascade.Contracts.Registry.V1.Registry.RegistryClient(channel).GetAuditLogAsync(new GetAuditLogRequest { Model = model }, HostCall.Timeout(ct));
            var log = new Table().AddColumns("#", "time", "actor", "action", "from", "to", "reason");
            foreach (var entry in audit.Entries)
            {
                log.AddRow(entry.Sequence.ToString(), entry.Time.ToDateTimeOffset().ToString("u"), entry.Actor, entry.Action, HostCall.Version(entry.FromVersion), HostCall.Version(entry.ToVersion), Markup.Escape(entry.Reason));
            }
            AnsiConsole.Write(log);
        }));

        var version = new Argument<int>("version") { Description = "Version number." };
        var reason = new Option<string>("--reason") { Description = "Why (recorded in the audit log).", Required = true };
        var actor = new Option<string>("--actor") { Description = "Who (recorded in the audit log).", DefaultValueFactory = _ => Environment.UserName };
        var force = new Option<bool>("--force") { Description = "Promote even if the gate refuses (audited)." };
        var promote = new Command("promote", "Make a version champion (through the promotion gate unless --force).") { name, version, reason, actor, force };
        promote.SetAction((parse, ct) => HostCall.RunAsync(parse, address, async channel =>
        {
            var result = await new Cascade.Contracts.Registry.V1.Registry.RegistryClient(channel).PromoteModelVersionAsync(new PromoteModelVersionRequest
            {
                Model = parse.GetValue(name)!, Version = parse.GetValue(version), Reason = parse.GetValue(reason)!, Actor = parse.GetValue(actor)!, Force = parse.GetValue(force),
            }, HostCall.Timeout(ct));
            AnsiConsole.MarkupLineInterpolated($"[green]{result.Model}: champion v{result.FromVersion} → v{result.ToVersion}[/] ({result.Decision.Reason})");
        }));

        var to = new Option<int>("--to") { Description = "Version to roll back to (default: the previous champion)." };
        var rollback = new Command("rollback", "Roll the champion back.") { name, to, reason, actor };
        rollback.SetAction((parse, ct) => HostCall.RunAsync(parse, address, async channel =>
        {
            var result = await new Cascade.Contracts.Registry.V1.Registry.RegistryClient(channel).RollbackModelAsync(new RollbackModelRequest
            {
                Model = parse.GetValue(name)!, ToVersion = parse.GetValue(to), Reason = parse.GetValue(reason)!, Actor = parse.GetValue(actor)!,
            }, HostCall.Timeout(ct));
            AnsiConsole.MarkupLineInterpolated($"[yellow]{result.Model}: champion v{result.FromVersion} → v{result.ToVersion}[/]");
        }));

        command.Subcommands.Add(list);
        command.Subcommands.Add(show);
        command.Subcommands.Add(promote);
        command.Subcommands.Add(rollback);
        command.Subcommands.Add(ModelsImportCommand.Create(address));
        command.Subcommands.Add(ModelsReproduceCommand.Create(address));

        var atLeast = new Option<int>("--version") { Description = "Wait for this version or a later one to be champion (default 1: any champion).", DefaultValueFactory = _ => 1 };
        var within = new Option<string>("--timeout") { Description = "Give up after this long (90s, 5m, 1h30m): exit code 1.", DefaultValueFactory = _ => "5m" };
        var wait = new Command("wait", "Wait until a model's champion (at least --version) is served and monitored, printing its training jobs meanwhile.") { name, atLeast, within };
        wait.SetAction(async (parse, ct) =>
        {
            if (!Specs.Model.SpecDurations.TryParse(parse.GetValue(within)!, out var timeout) || timeout <= TimeSpan.Zero)
            {
                Console.Error.WriteLine($"error: --timeout must be {Specs.Model.SpecDurations.Expected}, and not 0s; got '{parse.GetValue(within)}'.");
                return 2;
            }
            var waited = 0;
            var call = await HostCall.RunAsync(parse, address, async channel => waited = await WaitAsync(channel, parse.GetValue(name)!, Math.Max(1, parse.GetValue(atLeast)), timeout, ct));
            return call != 0 ? call : waited;
        });
        command.Subcommands.Add(wait);
        return command;
    }

    /// <summary>
    /// Polls until the model's champion is at least <paramref name="version"/>, Serving answers with it and Monitoring
    /// watches it; prints each training job of the model that is not history (the job that made a version older than
    /// the one awaited, and every job before it) and how it ended. 0 when it happened, 1 on timeout (saying what was seen).
    /// Plain lines, never wrapped to the terminal's width, so scripts can read them.
    /// </summary>
    private static async Task<int> WaitAsync(GrpcChannel channel, string model, int version, TimeSpan timeout, CancellationToken ct)
    {
        var registry = new Cascade.Contracts.Registry.V1.Registry.RegistryClient(channel);
        var training = new Cascade.Contracts.Training.V1.Training.TrainingClient(channel);
        var serving = new Cascade.Contracts.Serving.V1.Serving.ServingClient(channel);
        var monitoring = new Cascade.Contracts.Monitoring.V1.Monitoring.MonitoringClient(channel);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Dictionary<string, bool>? ended = null; // job id → whether its end was printed
        Console.Out.WriteLine($"waiting for {model} v{version} or later to be champion, served and monitored (up to {Specs.Model.SpecDurations.Format(timeout)})");
        while (true)
        {
            var jobs = (await training.ListJobsAsync(new Cascade.Contracts.Training.V1.ListJobsRequest { Model = model, Limit = 100 }, HostCall.Timeout(ct))).Jobs
                .OrderBy(j => j.Status.QueuedAt?.ToDateTimeOffset() ?? DateTimeOffset.MinValue).ToList();
            if (ended is null)
            {
                var history = jobs.FindLastIndex(j => Finished(j) && j.Status.ModelVersion > 0 && j.Status.ModelVersion < version);
                ended = jobs.Take(history + 1).ToDictionary(j => j.Id, _ => true);
            }
            foreach (var job in jobs)
            {
                if (!ended.ContainsKey(job.Id))
                {
                    Console.Out.WriteLine($"{job.Id} queued ({job.Spec.Trigger}): {job.Spec.TriggerReason}");
                    ended[job.Id] = false;
                }
                if (!ended[job.Id] && Finished(job))
                {
                    Console.Out.WriteLine($"{job.Id} {Outcome(job.Status)}");
                    ended[job.Id] = true;
                }
            }

            var champion = 0;
            try
            {
                champion = (await registry.GetModelAsync(new GetModelRequest { Name = model }, HostCall.Timeout(ct))).ChampionVersion;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
            }
            var state = champion == 0 ? "no champion yet" : $"the champion is v{champion}";
            if (champion >= version)
            {
                // The job that made the champion has been reported as ended (Training records the end just after the registry promotes).
                var madeBy = (await registry.GetModelVersionAsync(new GetModelVersionRequest { Model = model, Version = champion }, HostCall.Timeout(ct))).Spec.Lineage?.TrainingJobId;
                var reported = string.IsNullOrEmpty(madeBy) || !ended.TryGetValue(madeBy, out var printed) || printed;
                var served = (await serving.GetServingStatusAsync(new Cascade.Contracts.Serving.V1.GetServingStatusRequest(), HostCall.Timeout(ct))).Models.FirstOrDefault(m => m.Model == model)?.Version ?? 0;
                var watched = 0;
                try
                {
                    watched = (await monitoring.GetModelHealthAsync(new Cascade.Contracts.Monitoring.V1.GetModelHealthRequest { Model = model }, HostCall.Timeout(ct))).Version;
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
                {
                }
                if (reported && served == champion && watched == champion)
                {
                    Console.Out.WriteLine($"{model} v{champion} is champion, served and monitored ({clock.Elapsed.TotalSeconds:F1} s)");
                    return 0;
                }
                state = $"the champion is v{champion}, served: {HostCall.Version(served)}, monitored: {HostCall.Version(watched)}";
            }
            if (clock.Elapsed >= timeout)
            {
                Console.Error.WriteLine($"error: timed out after {Specs.Model.SpecDurations.Format(timeout)} waiting for {model} v{version} or later: {state}.");
                return 1;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
        }
    }

    private static bool Finished(Cascade.Contracts.Training.V1.TrainingJob job) =>
        job.Status.State is Cascade.Contracts.Training.V1.JobState.Succeeded or Cascade.Contracts.Training.V1.JobState.Failed or Cascade.Contracts.Training.V1.JobState.Cancelled;

    private static string Outcome(Cascade.Contracts.Training.V1.TrainingJobStatus status) => status.State switch
    {
        Cascade.Contracts.Training.V1.JobState.Succeeded when status.ModelVersion == 0 => "succeeded",
        Cascade.Contracts.Training.V1.JobState.Succeeded => $"succeeded: v{status.ModelVersion} {(status.Promoted ? "promoted" : "registered, not promoted")}",
        Cascade.Contracts.Training.V1.JobState.Failed => $"failed: {status.Error}",
        _ => "cancelled",
    };
}
