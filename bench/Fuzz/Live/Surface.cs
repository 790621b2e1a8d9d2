using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Cascade.Fuzz.Live;

/// <summary>One gRPC method a host serves, with the generated descriptors of its messages.</summary>
public sealed record GrpcMethod(string Service, string Name, MethodType Type, MethodDescriptor Descriptor)
{
    public MessageDescriptor Input => Descriptor.InputType;

    public string Path => $"/{Service}/{Name}";

    /// <summary>Whether the client sends a stream (client streaming or bidi).</summary>
    public bool ClientStreams => Type is MethodType.ClientStreaming or MethodType.DuplexStreaming;

    /// <summary>Whether the server answers with a stream that may stay open (server streaming or bidi).</summary>
    public bool ServerStreams => Type is MethodType.ServerStreaming or MethodType.DuplexStreaming;

    public override string ToString() => $"{Service.Split('.')[^1]}/{Name}";
}

/// <summary>One REST route of the HTTP endpoint: a JSON transcoding of a gRPC method, or a plain route (OIP v2, health, metrics).</summary>
/// <param name="Pattern">The route template, e.g. <c>/v1/models/{model}/versions/{version}</c>.</param>
/// <param name="Body">For a transcoded route, the request field the body holds: <c>*</c>, a field name, or empty for none.</param>
public sealed record RestRoute(string Verb, string Pattern, GrpcMethod? Transcodes, string Body)
{
    public override string ToString() => $"{Verb} {Pattern}";
}

/// <summary>
/// What a built host answers: every gRPC method of every service (found in its endpoints, described by the generated
/// descriptors the services were compiled from) and every REST route, so a campaign covers what is served, not a list
/// that drifts from it.
/// </summary>
public sealed class Surface
{
    private Surface(IReadOnlyList<GrpcMethod> methods, IReadOnlyList<RestRoute> routes)
    {
        Methods = methods;
        Routes = routes;
    }

    public IReadOnlyList<GrpcMethod> Methods { get; }

    public IReadOnlyList<RestRoute> Routes { get; }

    public static Surface Discover(IServiceProvider services)
    {
        var descriptors = ServiceDescriptors();
        var methods = new Dictionary<string, GrpcMethod>(StringComparer.Ordinal);
        var routes = new List<RestRoute>();
        foreach (var endpoint in services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + (endpoint.RoutePattern.RawText ?? string.Empty).TrimStart('/');
            var verbs = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            var grpc = endpoint.Metadata.GetMetadata<GrpcMethodMetadata>();
            var transcoding = endpoint.Metadata.FirstOrDefault(m => m.GetType().Name == "GrpcJsonTranscodingMetadata");
            GrpcMethod? method = null;
            if (grpc is not null)
            {
                var key = $"/{grpc.Method.ServiceName}/{grpc.Method.Name}";
                if (!methods.TryGetValue(key, out method))
                {
                    if (!descriptors.TryGetValue(grpc.Method.ServiceName, out var service) || service.FindMethodByName(grpc.Method.Name) is not { } described)
                    {
                        throw new InvalidOperationException($"No generated descriptor describes {key}.");
                    }
                    methods[key] = method = new GrpcMethod(grpc.Method.ServiceName, grpc.Method.Name, grpc.Method.Type, described);
                }
                if (transcoding is null)
                {
                    continue; // the gRPC endpoint itself (and its gRPC-Web twin), or the catch-all for unknown methods
                }
            }
            if (pattern.Contains("{*", StringComparison.Ordinal) || pattern.Contains("grpcunimplemented", StringComparison.Ordinal))
            {
                continue; // catch-alls (gRPC's answer to unknown services and methods): not a REST route
            }
            var body = transcoding is null ? string.Empty : HttpRuleBody(transcoding);
            foreach (var verb in verbs)
            {
                routes.Add(new RestRoute(verb, pattern, method, body));
            }
        }
        return new Surface(
            methods.Values.OrderBy(m => m.Path, StringComparer.Ordinal).ToArray(),
            routes.DistinctBy(r => r.ToString()).OrderBy(r => r.Pattern, StringComparer.Ordinal).ThenBy(r => r.Verb, StringComparer.Ordinal).ToArray());
    }

    private static string HttpRuleBody(object transcoding)
    {
        var rule = (IMessage)transcoding.GetType().GetProperty("HttpRule")!.GetValue(transcoding)!;
        return (string)rule.Descriptor.FindFieldByName("body").Accessor.GetValue(rule);
    }

    /// <summary>Every service described by a generated file descriptor in the loaded assemblies, by full name.</summary>
    private static Dictionary<string, Google.Protobuf.Reflection.ServiceDescriptor> ServiceDescriptors()
    {
        var services = new Dictionary<string, Google.Protobuf.Reflection.ServiceDescriptor>(StringComparer.Ordinal);
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            Type[] types;
            try
            {
                types = assembly.GetTypes();
            }
            catch (ReflectionTypeLoadException ex)
            {
                types = ex.Types.OfType<Type>().ToArray();
            }
            foreach (var type in types)
            {
                if (!type.IsAbstract || !type.IsSealed || !type.Name.EndsWith("Reflection", StringComparison.Ordinal)) continue;
                if (type.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is not FileDescriptor file) continue;
                foreach (var service in file.Services)
                {
                    services.TryAdd(service.FullName, service);
                }
            }
        }
        return services;
    }
}
