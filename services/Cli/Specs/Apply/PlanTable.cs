using Spectre.Console;

namespace Cascade.Cli.Specs.Apply;

/// <summary>The plan as a table: each object's kind, name, action, and the fields an update changes or why it is refused.</summary>
internal static class PlanTable
{
    public static Table Of(Plan plan)
    {
        var table = new Table().AddColumns("kind", "name", "action", "changes / reason");
        foreach (var entry in plan.Entries)
        {
            var details = entry.Action == PlanAction.Refused ? entry.Reason ?? "" : string.Join(Environment.NewLine, entry.Changes);
            table.AddRow(new Markup(entry.Object.Kind.ToString()), new Markup(Markup.Escape(entry.Object.Name)), Action(entry.Action), new Markup(Markup.Escape(details)));
        }
        return table;
    }

    private static Markup Action(PlanAction action) => action switch
    {
        PlanAction.Create => new Markup("[green]create[/]"),
        PlanAction.Update => new Markup("[yellow]update[/]"),
        PlanAction.Unchanged => new Markup("[grey]unchanged[/]"),
        _ => new Markup("[red]refused[/]"),
    };
}
