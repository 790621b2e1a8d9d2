using Cascade.Cli.Specs.Model;

namespace Cascade.Cli.Specs.Apply;

/// <summary>Create, update (with the changed fields) or unchanged: the desired object against what the host holds.</summary>
internal static class PlanDecision
{
    public static PlanEntry Decide(SpecObject desired, SpecObject? current)
    {
        if (current is null) return new PlanEntry(desired, PlanAction.Create, []);
        var changes = SpecDiff.Compare(current.Spec, desired.Spec);
        return new PlanEntry(desired, changes.Count == 0 ? PlanAction.Unchanged : PlanAction.Update, changes);
    }
}
