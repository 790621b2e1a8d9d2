using System.CommandLine;
using Cascade.Contracts.Features.V1;

namespace Cascade.Cli.Commands;

/// <summary>
/// <c>cascade erase ENTITY --dataset NAME</c>: removes an entity's features from a running host (its online vectors,
/// offline rows and window state, in every feature view over the dataset) and keeps its records so far from being
/// materialized again; the host records the erasure in its audit log.
/// </summary>
internal static class EraseCommand
{
    public static Command Create()
    {
        var address = HostCall.AddressOption();
        var entity = new Argument<string>("entity") { Description = "The entity's id (its value in the dataset's entity column)." };
        var dataset = new Option<string>("--dataset") { Description = "The dataset the entity belongs to.", Required = true };
        var command = new Command("erase", "Erase an entity's features (online, offline, window state) from every feature view over a dataset; audited.") { entity, dataset };
        command.Options.Add(address);
        command.SetAction((parse, ct) => HostCall.RunAsync(parse, address, async channel =>
        {
            var request = new EraseEntityRequest { Dataset = parse.GetValue(dataset)!, EntityId = parse.GetValue(entity)! };
            var erased = await new Cascade.Contracts.Features.V1.Features.FeaturesClient(channel).EraseEntityAsync(request, HostCall.Timeout(ct));
            var views = erased.FeatureViews.Count == 0 ? "no feature view reads it yet" : $"feature views {string.Join(", ", erased.FeatureViews)}";
            // Plain lines, not Spectre's markup: a console narrower than a line must not break it (scripts grep for it).
            Console.WriteLine($"erased entity '{erased.EntityId}' of dataset '{erased.Dataset}' ({views}): {erased.OnlineVectorsRemoved} online vector(s), {erased.OfflineRowsRemoved} offline row(s), {erased.EntityStatesRemoved} window state(s) removed");
            var through = string.Join(", ", erased.ErasedThrough.Partitions.Select(p => $"{p.Partition}:{p.Offset}"));
            Console.WriteLine($"its records so far (partition:offset below {(through.Length == 0 ? "none: the dataset has no records yet" : through)}) will not be materialized again; the erasure is in the audit log (entity.erased)");
        }));
        return command;
    }
}
