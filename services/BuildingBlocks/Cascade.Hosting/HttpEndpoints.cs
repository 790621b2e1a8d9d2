using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Cascade.Hosting;

/// <summary>
/// Routes a service module serves on the host beside its gRPC services (minimal APIs, such as a protocol's REST
/// binding). Kept in the container, like <see cref="Grpc.GrpcServiceMapping"/>, so a module stays composable: it
/// registers its routes with <see cref="AddHttpEndpoints"/> in its <c>AddXxx</c>, and whichever host adds the module
/// (its own process or the all-in-one host) maps them in <see cref="ServiceHost.Build"/>.
/// </summary>
public static class HttpEndpoints
{
    /// <summary>Registers routes to map once under <paramref name="name"/>; a second registration of that name is ignored, so a module can be added twice.</summary>
    public static IServiceCollection AddHttpEndpoints(this IServiceCollection services, string name, Action<IEndpointRouteBuilder> map)
    {
        if (!services.Any(d => d.ImplementationInstance is HttpEndpointMapping mapping && mapping.Name == name))
        {
            services.AddSingleton(new HttpEndpointMapping(name, map));
        }
        return services;
    }

    /// <summary>Maps every registered module's routes. Call after <c>UseRouting</c>.</summary>
    public static IEndpointRouteBuilder MapHttpEndpoints(this IEndpointRouteBuilder endpoints)
    {
        foreach (var mapping in endpoints.ServiceProvider.GetServices<HttpEndpointMapping>())
        {
            mapping.Map(endpoints);
        }
        return endpoints;
    }
}

/// <summary>How one module's routes are mapped.</summary>
public sealed record HttpEndpointMapping(string Name, Action<IEndpointRouteBuilder> Map);
