using System.CommandLine;
using Cascade.Contracts.Registry.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Spectre.Console;

namespace Cascade.Cli.Commands;

/// <summary><c>cascade models list|show|promote|rollback|import</c> against a running host's Registry.</summary>
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
            var versions = await new Cascade.Contracts.Registry.V1.Registry.RegistryClient(channel).ListModelVersionsAsync(new ListModelVersionsRequest { Model = model }, HostCall.Timeout(ct));
            var table = new Table().AddColumns("version", "status", "aliases", "holdout", "job", "dataset watermark", "code", "artifact");
            foreach (var version in versions.Versions)
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
        return command;
    }
}
