using System.CommandLine;
using Cascade.Cli.Commands;

// `cascade` — every command lives in Commands/, one file each; this file only assembles them.
var root = new RootCommand("Cascade: an event-driven MLOps platform (ingestion → features → training → registry → serving → monitoring).");
root.Subcommands.Add(UpCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(PredictCommand.Create());
root.Subcommands.Add(OptimizeCommand.Create());
root.Subcommands.Add(ExportCommand.Create());
root.Subcommands.Add(ScoreCommand.Create());
root.Subcommands.Add(ModelsCommand.Create());
root.Subcommands.Add(AlertsCommand.Create());
root.Subcommands.Add(JobsCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(ApplyCommand.Create());
root.Subcommands.Add(GetCommand.Create());
root.Subcommands.Add(IngestCommand.Create());
root.Subcommands.Add(EraseCommand.Create());
root.Subcommands.Add(KeysCommand.Create());
root.Subcommands.Add(AuditCommand.Create());
root.Options.Add(CliChannels.ApiKey);
CliTls.AddTo(root);
var parse = root.Parse(args);
if (CliTls.Use(parse) is { } tlsError)
{
    Console.Error.WriteLine($"error: {tlsError}");
    return 2;
}
return await parse.InvokeAsync();
