using System.Net;
using Cascade.Grpc.Health;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cascade.Grpc.Server;

/// <summary>Registration of the gRPC server layer in ASP.NET Core.</summary>
public static class GrpcServerExtensions
{
    /// <summary>Adds the gRPC layer, its options (configuration section <c>Grpc:Server</c>, then <paramref name="configure"/>) and the standard health service.</summary>
    public static IServiceCollection AddCascadeGrpc(this IServiceCollection services, Action<GrpcServerOptions>? configure = null)
    {
        var options = services.AddOptions<GrpcServerOptions>()
            // Bound when the host has configuration (every ASP.NET Core host does); a bare container works too.
            .Configure<IServiceProvider>((o, provider) => provider.GetService<IConfiguration>()?.GetSection(GrpcServerOptions.SectionName).Bind(o))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        services.TryAddSingleton<GrpcMethodRegistry>();
        services.TryAddSingleton<GrpcCallHandler>();
        services.TryAddSingleton<HealthStatusRegistry>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, HealthShutdownNotifier>());
        services.AddGrpcService<HealthGrpcService>();
        return services;
    }

    /// <summary>Registers a gRPC service implementation (a singleton: handlers must be thread-safe).</summary>
    public static IServiceCollection AddGrpcService<TService>(this IServiceCollection services)
        where TService : class, IGrpcService
    {
        services.TryAddSingleton<TService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGrpcService, TService>(sp => sp.GetRequiredService<TService>()));
        return services;
    }

    /// <summary>
    /// Serves the registered gRPC services as middleware, ahead of routing: the fastest path to a handler.
    /// Requests without a gRPC content type pass through (POSTs to a bound method's path get HTTP 415).
    /// </summary>
    public static IApplicationBuilder UseCascadeGrpc(this IApplicationBuilder app) => app.UseMiddleware<GrpcDispatcher>();

    /// <summary>
    /// Serves the registered gRPC services through endpoint routing: one POST endpoint per bound method (so
    /// endpoint metadata such as authorization applies per method) and one <c>/{service}/{method}</c>
    /// endpoint that answers other gRPC requests with UNIMPLEMENTED. Literal routes of the app take precedence.
    /// </summary>
    public static IEndpointConventionBuilder MapCascadeGrpc(this IEndpointRouteBuilder endpoints)
    {
        var registry = endpoints.ServiceProvider.GetRequiredService<GrpcMethodRegistry>();
        var handler = endpoints.ServiceProvider.GetRequiredService<GrpcCallHandler>();
        var builders = new List<IEndpointConventionBuilder>();
        foreach (var (path, invoker) in registry.Methods)
        {
            builders.Add(endpoints.MapPost(path, httpContext => handler.HandleAsync(httpContext, invoker))
                .WithDisplayName("gRPC " + path));
        }
        builders.Add(endpoints.MapPost("/{unimplementedService}/{unimplementedMethod}", handler.HandleUnimplementedAsync)
            .WithDisplayName("gRPC unimplemented method"));
        return new CompositeConventionBuilder(builders);
    }

    /// <summary>Listens for gRPC on an HTTP/2-only cleartext endpoint, with <see cref="ApplyGrpcLimits"/>.</summary>
    /// <remarks>HTTP/2 only: a mixed HTTP/1.1+HTTP/2 cleartext endpoint answers prior-knowledge HTTP/2 clients with GOAWAY.</remarks>
    public static void ListenGrpc(this KestrelServerOptions kestrel, IPAddress address, int port, Action<ListenOptions>? configure = null)
    {
        kestrel.Listen(address, port, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            configure?.Invoke(listen);
        });
        ApplyGrpcLimits(kestrel);
    }

    /// <summary>
    /// HTTP/2 settings suited to gRPC: 1000 concurrent streams per connection (Kestrel: 100), 4 MiB connection and
    /// 1 MiB stream flow-control windows, keep-alive pings every 30 s with a 20 s timeout to drop dead peers.
    /// </summary>
    public static void ApplyGrpcLimits(KestrelServerOptions kestrel)
    {
        var http2 = kestrel.Limits.Http2;
        http2.MaxStreamsPerConnection = 1000;
        http2.InitialConnectionWindowSize = 4 * 1024 * 1024;
        http2.InitialStreamWindowSize = 1024 * 1024;
        http2.KeepAlivePingDelay = TimeSpan.FromSeconds(30);
        http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(20);
        kestrel.AddServerHeader = false;
    }

    /// <summary>Applies conventions to every endpoint <see cref="MapCascadeGrpc"/> created.</summary>
    private sealed class CompositeConventionBuilder(IReadOnlyList<IEndpointConventionBuilder> builders) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
            foreach (var builder in builders)
            {
                builder.Add(convention);
            }
        }

        public void Finally(Action<EndpointBuilder> finallyConvention)
        {
            foreach (var builder in builders)
            {
                builder.Finally(finallyConvention);
            }
        }
    }
}
