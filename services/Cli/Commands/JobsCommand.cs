using System.CommandLine;
using Cascade.Contracts.Training.V1;
using Spectre.Console;

namespace Cascade.Cli.Commands;

/// <summary><c>cascade jobs list|trigger|cancel</c> against a running host's Training service.</summary>
internal static class JobsCommand
{
    public static Command Create()
    {
        var address = HostCall.AddressOption();
        var command = new Command("jobs", "List and start training jobs of a running host.");
        command.Options.Add(address);

        var model = new Option<string>("--model") { Description = "Only jobs of this model." };
        var limit = new Option<int>("--limit") { Description = "Most recent jobs to list.", DefaultValueFactory = _ => 50 };
        var list = new Command("list", "List recent training jobs, newest first.") { model, limit };
        list.SetAction((parse, ct) => HostCall.RunAsync(parse, address, async channel =>
        {
            var jobs = await new Cascade.Contracts.Training.V1.Training.TrainingClient(channel).ListJobsAsync(new ListJobsRequest { Model = parse.GetValue(model) ?? string.Empty, Limit = parse.GetValue(limit) }, HostCall.Timeout(ct));
            var table = new Table().AddColumns("job", "model", "state", "trigger", "reason", "queued", "took", "worker / device", "version");
            foreach (var job in jobs.Jobs)
            {
                var status = job.Status;
                var took = status.StartedAt is not null && status.FinishedAt is not null ? $"{(status.FinishedAt.ToDateTimeOffset() - status.StartedAt.ToDateTimeOffset()).TotalSeconds:F1} s" : "-";
                var version = status.ModelVersion == 0 ? "-" : $"v{status.ModelVersion}{(status.Promoted ? " (promoted)" : string.Empty)}";
                table.AddRow(job.Id, job.Spec.Model, State(status, job.Spec.Kind), job.Spec.Trigger.ToString(), Markup.Escape(Demo.CascadeProgress.Shorten(job.Spec.TriggerReason, 50)),
                    status.QueuedAt?.ToDateTimeOffset().ToString("HH:mm:ss") ?? "-", took, Markup.Escape($"{status.Worker} / {status.Device}"), version);
            }
            AnsiConsole.Write(table);
        }));

        var name = new Argument<string>("model") { Description = "Model to train now." };
        var reason = new Option<string>("--reason") { Description = "Why (recorded in the job and the model's lineage).", DefaultValueFactory = _ => "on demand" };
        var trigger = new Command("trigger", "Train a model now on the data materialized so far.") { name, reason };
        trigger.SetAction((parse, ct) => HostCall.RunAsync(parse, address, async channel =>
        {
            var job = await new Cascade.Contracts.Training.V1.Training.TrainingClient(channel).TriggerTrainingAsync(new TriggerTrainingRequest { Model = parse.GetValue(name)!, Reason = parse.GetValue(reason)! }, HostCall.Timeout(ct));
            AnsiConsole.MarkupLineInterpolated($"queued {job.Id} for {job.Spec.Model} ({job.Spec.Resources.Accelerator})");
        }));

        var id = new Argument<string>("job") { Description = "Job id (see jobs list)." };
        var cancel = new Command("cancel", "Cancel a queued or running job; it registers no version.") { id };
        cancel.SetAction((parse, ct) => HostCall.RunAsync(parse, address, async channel =>
        {
            var job = await new Cascade.Contracts.Training.V1.Training.TrainingClient(channel).CancelJobAsync(new CancelJobRequest { Id = parse.GetValue(id)! }, HostCall.Timeout(ct));
            AnsiConsole.MarkupLineInterpolated($"{job.Id} of {job.Spec.Model}: {job.Status.State}");
        }));

        command.Subcommands.Add(list);
        command.Subcommands.Add(trigger);
        command.Subcommands.Add(cancel);
        command.Subcommands.Add(JobsScoreCommand.Score(address));
        command.Subcommands.Add(JobsScoreCommand.Output(address));
        return command;
    }

    private static string State(TrainingJobStatus status, JobKind kind) => status.State switch
    {
        JobState.Succeeded => "[green]succeeded[/]",
        JobState.Failed => $"[red]failed[/] {Markup.Escape(Demo.CascadeProgress.Shorten(status.Error, 40))}",
        // Progress as the worker reports it (about once a second): boosting rounds of a training job (XGBoost and ML.NET
        // alike), chunks of rows of a batch-scoring job.
        JobState.Running when status.RoundsPlanned > 0 => $"[blue]running[/] {status.RoundsDone:N0}/{status.RoundsPlanned:N0} {(kind == JobKind.Score ? "chunks" : "rounds")}",
        JobState.Running => "[blue]running[/]",
        JobState.Queued => "queued",
        JobState.Cancelled => "[grey]cancelled[/]",
        _ => status.State.ToString(),
    };
}
