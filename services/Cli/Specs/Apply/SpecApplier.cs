using Cascade.Cli.Specs.Model;

namespace Cascade.Cli.Specs.Apply;

/// <summary>What applying one object did: its planned action and what its service answered (the version it holds now).</summary>
internal sealed record AppliedObject(PlanEntry Entry, string Result);

/// <summary>
/// Carries out a plan, in its order (datasets first, so what a view names exists when the view is applied). Unchanged
/// objects are not sent at all, so a second apply of the same files writes nothing; a plan with a refusal is not applied.
/// </summary>
internal sealed class SpecApplier(SpecGateway gateway)
{
    /// <exception cref="InvalidOperationException">The plan refuses an object.</exception>
    /// <exception cref="Grpc.Core.RpcException">A service refused or failed a write the dry run had accepted (the host changed meanwhile).</exception>
    public async Task<IReadOnlyList<AppliedObject>> ApplyAsync(Plan plan, CancellationToken cancellationToken)
    {
        if (plan.HasRefusals) throw new InvalidOperationException($"The plan refuses {plan.Count(PlanAction.Refused)} object(s): nothing is applied.");
        var applied = new List<AppliedObject>();
        foreach (var entry in plan.Entries)
        {
            var result = entry.Action is PlanAction.Create or PlanAction.Update ? await gateway.PutAsync(entry.Object, validateOnly: false, cancellationToken) : "";
            applied.Add(new AppliedObject(entry, result));
        }
        return applied;
    }
}
