using System.Text.RegularExpressions;
using Google.Api;
using Google.Protobuf.Reflection;

namespace Cascade.WebConsole.Forwarding;

/// <summary>
/// Which service answers each of the page's API calls in the distributed deployment, read from the contracts rather than
/// written out by hand: every method's <c>google.api.http</c> rule gives a REST route (verb and template), and every
/// service's name gives its gRPC-Web path (<c>/cascade.registry.v1.Registry/…</c>). The area is the proto package's
/// second part (<c>cascade.registry.v1</c> → <c>registry</c>); the Open Inference Protocol (<c>/v2/…</c>) is Serving's.
/// </summary>
public static partial class ServiceRoutes
{
    /// <summary>The services the distributed console forwards to.</summary>
    public static IReadOnlyList<ServiceDescriptor> Services { get; } =
    [
        Contracts.Ingestion.V1.Ingestion.Descriptor,
        Contracts.Features.V1.Features.Descriptor,
        Contracts.Registry.V1.Registry.Descriptor,
        Contracts.Training.V1.Training.Descriptor,
        Contracts.Serving.V1.Serving.Descriptor,
        Contracts.Monitoring.V1.Monitoring.Descriptor,
    ];

    /// <summary>One forwarded route: an ASP.NET Core route template, its verb (null: any), and the area that answers it.</summary>
    public sealed record Route(string Verb, string Template, string Area);

    /// <summary>Every route of <paramref name="services"/>: REST routes from their HTTP rules, then gRPC-Web paths.</summary>
    public static IReadOnlyList<Route> For(IEnumerable<ServiceDescriptor> services)
    {
        var routes = new List<Route>();
        foreach (var service in services)
        {
            var area = AreaOf(service);
            foreach (var method in service.Methods)
            {
                if (method.GetOptions()?.GetExtension(AnnotationsExtensions.Http) is not { } rule) continue;
                var (verb, path) = rule.PatternCase switch
                {
                    HttpRule.PatternOneofCase.Get => ("GET", rule.Get),
                    HttpRule.PatternOneofCase.Post => ("POST", rule.Post),
                    HttpRule.PatternOneofCase.Put => ("PUT", rule.Put),
                    HttpRule.PatternOneofCase.Delete => ("DELETE", rule.Delete),
                    HttpRule.PatternOneofCase.Patch => ("PATCH", rule.Patch),
                    _ => throw new InvalidOperationException($"{method.FullName}: a custom HTTP rule cannot be forwarded."),
                };
                routes.Add(new Route(verb, Template(path), area));
            }
            routes.Add(new Route("POST", $"/{service.FullName}/{{method}}", area));
        }
        return routes;
    }

    /// <summary><c>registry</c> for <c>cascade.registry.v1.Registry</c>.</summary>
    public static string AreaOf(ServiceDescriptor service) =>
        service.File.Package.Split('.') is ["cascade", var area, ..] ? area : throw new ArgumentException($"{service.FullName} is not a Cascade service.", nameof(service));

    /// <summary>
    /// An HTTP rule's path as an ASP.NET Core route template: field paths become parameter names (<c>{spec.name}</c> →
    /// <c>{spec_name}</c>) and a rule's <c>{x=**}</c> becomes a catch-all. Only the route's shape matters here: the
    /// service that receives the call binds the fields itself.
    /// </summary>
    public static string Template(string path) =>
        Variable().Replace(path, m => m.Groups["pattern"].Value.Contains("**", StringComparison.Ordinal)
            ? $"{{**{m.Groups["name"].Value.Replace('.', '_')}}}"
            : $"{{{m.Groups["name"].Value.Replace('.', '_')}}}");

    [GeneratedRegex(@"\{(?<name>[A-Za-z0-9_.]+)(=(?<pattern>[^}]*))?\}")]
    private static partial Regex Variable();
}
