using Cascade.Cli.Specs.Model;

namespace Cascade.Cli.Specs.Apply;

/// <summary>What applying an object would do.</summary>
internal enum PlanAction
{
    Create,
    Update,
    Unchanged,
    Refused,
}

/// <summary>One field that an update changes: from → to; a null side is a field (or list item) added or removed.</summary>
internal sealed record FieldChange(string Path, string? From, string? To)
{
    public override string ToString() => (From, To) switch
    {
        (null, _) => $"{Path}: added {To}",
        (_, null) => $"{Path}: removed {From}",
        _ => $"{Path}: {From} → {To}",
    };
}

/// <summary>The plan for one object: its action, and the changed fields (update) or the reason (refused).</summary>
internal sealed record PlanEntry(SpecObject Object, PlanAction Action, IReadOnlyList<FieldChange> Changes, string? Reason = null)
{
    public static PlanEntry Refused(SpecObject spec, string reason) => new(spec, PlanAction.Refused, [], reason);
}

/// <summary>The plan for every object, in the order they are applied (datasets, views, training policies, traffic policies).</summary>
internal sealed record Plan(IReadOnlyList<PlanEntry> Entries)
{
    public bool HasRefusals => Entries.Any(e => e.Action == PlanAction.Refused);

    public int Count(PlanAction action) => Entries.Count(e => e.Action == action);
}
