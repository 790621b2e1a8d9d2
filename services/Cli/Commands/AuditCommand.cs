using System.CommandLine;
using System.Text.Json;
using Cascade.Hosting.Security;
using Spectre.Console;

namespace Cascade.Cli.Commands;

/// <summary><c>cascade audit</c>: the last entries of a host's audit log (who did what, allowed or refused), read from its data directory.</summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "The host's data directory (audit.db lives there).", DefaultValueFactory = _ => ".cascade" };
        var limit = new Option<int>("--limit") { Description = "How many of the latest entries to show.", DefaultValueFactory = _ => 50 };
        var output = new Option<string>("--output", "-o") { Description = "table or json.", DefaultValueFactory = _ => "table" };
        var command = new Command("audit", "Show the latest entries of the audit log: every mutating call (allowed or refused), refused artifacts, erasures.");
        command.Options.Add(dataDir);
        command.Options.Add(limit);
        command.Options.Add(output);
        command.SetAction(parse =>
        {
            var path = Path.Combine(parse.GetValue(dataDir)!, "audit.db");
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"error: no audit log at {path} (has a host run with --data-dir {parse.GetValue(dataDir)}?)");
                return 1;
            }
            var entries = SqliteAuditTrail.ReadFile(path, Math.Max(1, parse.GetValue(limit)));
            if (parse.GetValue(output) == "json")
            {
                Console.WriteLine(JsonSerializer.Serialize(entries, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
                return 0;
            }
            var table = new Table().AddColumns("#", "time", "principal", "role", "action", "target", "outcome", "detail");
            foreach (var e in entries)
            {
                var color = e.Outcome == "succeeded" ? "green" : "red";
                table.AddRow(e.Sequence.ToString(), e.At.ToString("u"), Markup.Escape(e.Principal), e.Role, Markup.Escape(e.Action), Markup.Escape(e.Target), $"[{color}]{e.Outcome}[/]", Markup.Escape(e.Detail));
            }
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
