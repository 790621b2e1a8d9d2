using System.CommandLine;
using Cascade.Cli.Specs.Apply;
using Cascade.Cli.Specs.Yaml;
using Spectre.Console;

namespace Cascade.Cli.Commands;

/// <summary>
/// <c>cascade apply -f FILE|DIR [--dry-run]</c>: declares datasets, feature views, training and traffic policies from
/// spec files. Prints the plan (create / update with the changed fields / unchanged / refused with the service's
/// reason, found by each service's <c>validate_only</c> dry run), then applies it in dependency order unless anything
/// is refused. Exit codes: 0 applied (or planned, with --dry-run); 1 refused, or a host error; 2 unreadable files.
/// </summary>
internal static class ApplyCommand
{
    public static Command Create()
    {
        var endpoints = new ServiceEndpointOptions();
        var files = new Option<string[]>("--filename", "-f") { Description = "A spec file, or a directory of *.yaml / *.yml spec files (repeatable).", Required = true, AllowMultipleArgumentsPerToken = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the plan (checked by the services) and change nothing." };
        var command = new Command("apply", "Create or update datasets, feature views, training and traffic policies from spec files (see docs/specs.md).") { files, dryRun };
        endpoints.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            IReadOnlyList<Specs.Model.SpecObject> objects;
            try
            {
                objects = SpecLoader.LoadPaths(parse.GetValue(files)!);
            }
            catch (SpecFileException ex)
            {
                foreach (var error in ex.Errors) Console.Error.WriteLine($"error: {error}");
                Console.Error.WriteLine($"{ex.Errors.Count} error(s): nothing applied.");
                return 2;
            }
            catch (SpecPathException ex)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 2;
            }
            return await SpecConsole.RunAsync(endpoints, parse, async gateway =>
            {
                var plan = await new SpecPlanner(gateway).PlanAsync(objects, cancellationToken);
                AnsiConsole.Write(PlanTable.Of(plan));
                var summary = $"{plan.Count(PlanAction.Create)} to create, {plan.Count(PlanAction.Update)} to update, {plan.Count(PlanAction.Unchanged)} unchanged, {plan.Count(PlanAction.Refused)} refused";
                if (plan.HasRefusals)
                {
                    AnsiConsole.MarkupLineInterpolated($"[red]{summary}: nothing applied.[/]");
                    return 1;
                }
                if (parse.GetValue(dryRun))
                {
                    AnsiConsole.MarkupLineInterpolated($"{summary}; dry run: nothing applied.");
                    return 0;
                }
                foreach (var applied in await new SpecApplier(gateway).ApplyAsync(plan, cancellationToken))
                {
                    if (applied.Entry.Action is PlanAction.Create or PlanAction.Update)
                    {
                        AnsiConsole.MarkupLineInterpolated($"{applied.Entry.Object.Id} {(applied.Entry.Action == PlanAction.Create ? "created" : "updated")} ({applied.Result})");
                    }
                }
                AnsiConsole.MarkupLineInterpolated($"applied: {plan.Count(PlanAction.Create)} created, {plan.Count(PlanAction.Update)} updated, {plan.Count(PlanAction.Unchanged)} unchanged.");
                return 0;
            });
        });
        return command;
    }
}
