using System.CommandLine;
using Cascade.Cli.Specs.Get;

namespace Cascade.Cli.Commands;

/// <summary>
/// <c>cascade get datasets|views|policies|models [NAME] [-o table|yaml|json]</c>: what a running host holds. The YAML
/// output is a spec file: <c>apply</c> accepts it and reports every object unchanged.
/// </summary>
internal static class GetCommand
{
    private static readonly Dictionary<string, Func<HostInventory, CancellationToken, Task<IReadOnlyList<Listed>>>> Resources = new(StringComparer.OrdinalIgnoreCase)
    {
        ["datasets"] = (host, ct) => host.DatasetsAsync(ct),
        ["views"] = (host, ct) => host.ViewsAsync(ct),
        ["policies"] = (host, ct) => host.PoliciesAsync(ct),
        ["models"] = (host, ct) => host.ModelsAsync(ct),
    };

    /// <summary>Other names people type for the same lists (kubectl accepts singulars too).</summary>
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["dataset"] = "datasets", ["view"] = "views", ["featureview"] = "views", ["featureviews"] = "views", ["feature-views"] = "views",
        ["policy"] = "policies", ["trainingpolicies"] = "policies", ["trafficpolicies"] = "policies", ["model"] = "models",
    };

    public static Command Create()
    {
        var endpoints = new ServiceEndpointOptions();
        var resource = new Argument<string>("resource") { Description = "datasets, views, policies (training and traffic) or models." };
        var name = new Argument<string?>("name") { Description = "Only this object.", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<string>("--output", "-o") { Description = "table, yaml (a spec file apply accepts) or json.", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "yaml", "json");
        var command = new Command("get", "Print what a running host holds: datasets, feature views, policies or models.") { resource, name, output };
        endpoints.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var asked = parse.GetValue(resource)!;
            var key = Aliases.GetValueOrDefault(asked, asked);
            if (!Resources.TryGetValue(key, out var list))
            {
                Console.Error.WriteLine($"error: cannot get '{asked}': use datasets, views, policies or models.");
                return 2;
            }
            return await SpecConsole.RunWithChannelsAsync(endpoints, parse, async channels =>
            {
                var listed = await list(new HostInventory(channels), cancellationToken);
                if (parse.GetValue(name) is { } only)
                {
                    listed = listed.Where(l => l.Name == only).ToArray();
                    if (listed.Count == 0)
                    {
                        Console.Error.WriteLine($"error: the host holds no {key} named '{only}'.");
                        return 1;
                    }
                }
                switch (parse.GetValue(output))
                {
                    case "yaml":
                        Console.Out.Write(ListingOutput.Yaml(listed));
                        break;
                    case "json":
                        Console.Out.WriteLine(ListingOutput.Json(listed));
                        break;
                    default:
                        if (listed.Count == 0) Console.Out.WriteLine($"The host holds no {key}.");
                        else ListingOutput.Table(listed);
                        break;
                }
                return 0;
            });
        });
        return command;
    }
}
