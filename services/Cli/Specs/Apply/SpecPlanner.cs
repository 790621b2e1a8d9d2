using Cascade.Cli.Specs.Model;
using Grpc.Core;

namespace Cascade.Cli.Specs.Apply;

/// <summary>
/// Works out what applying objects would do, without changing anything: each object is read from the host and
/// compared (create / update with its changed fields / unchanged), and its service checks it with <c>validate_only</c>
/// so every refusal the real write would meet (a column's type changed, an unknown XGBoost parameter, a model not
/// served) shows up in the plan with the service's reason.
/// </summary>
internal sealed class SpecPlanner(SpecGateway gateway)
{
    /// <summary>Statuses by which a service refuses an object; any other error (unreachable, unauthorized) ends the plan.</summary>
    private static readonly StatusCode[] Refusals = [StatusCode.InvalidArgument, StatusCode.FailedPrecondition, StatusCode.NotFound, StatusCode.OutOfRange, StatusCode.AlreadyExists];

    /// <exception cref="RpcException">The host could not be asked (unavailable, unauthenticated, …).</exception>
    public async Task<Plan> PlanAsync(IReadOnlyList<SpecObject> objects, CancellationToken cancellationToken)
    {
        var entries = new List<PlanEntry>();
        var planned = new HashSet<(SpecKind, string)>();
        var onHost = new Dictionary<(SpecKind, string), SpecObject?>();
        async Task<SpecObject?> Current(SpecKind kind, string name)
        {
            if (!onHost.TryGetValue((kind, name), out var found)) onHost[(kind, name)] = found = await gateway.GetAsync(kind, name, cancellationToken);
            return found;
        }

        foreach (var spec in ApplyOrder(objects))
        {
            var missing = new List<(SpecKind Kind, string Name)>();
            foreach (var reference in SpecReferences.Of(spec))
            {
                if (!planned.Contains(reference) && await Current(reference.Kind, reference.Name) is null) missing.Add(reference);
            }
            PlanEntry entry;
            if (missing.Count > 0)
            {
                entry = PlanEntry.Refused(spec, SpecReferences.Explain(spec, missing, objects));
            }
            else
            {
                try
                {
                    await gateway.PutAsync(spec, validateOnly: true, cancellationToken);
                    entry = PlanDecision.Decide(spec, await Current(spec.Kind, spec.Name));
                }
                catch (RpcException ex) when (Refusals.Contains(ex.StatusCode))
                {
                    entry = PlanEntry.Refused(spec, $"{ex.StatusCode}: {ex.Status.Detail}");
                }
            }
            if (entry.Action != PlanAction.Refused) planned.Add((spec.Kind, spec.Name));
            entries.Add(entry);
        }
        return new Plan(entries);
    }

    /// <summary>Datasets, then views, training policies and traffic policies; within a kind, the files' order.</summary>
    public static IReadOnlyList<SpecObject> ApplyOrder(IEnumerable<SpecObject> objects) => objects.OrderBy(o => o.Kind).ToArray();
}
