using System.Net;
using Cascade.Hosting.Health;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Cascade.Hosting.Grpc;

/// <summary>
/// Cascade on Grpc.AspNetCore: every registered service over gRPC (HTTP/2), gRPC-Web and JSON transcoding (its
/// <c>google.api.http</c> routes), the standard health service, and server reflection (v1 and v1alpha).
/// </summary>
public static class GrpcHosting
{
    /// <summary>
    /// Adds Grpc.AspNetCore with <see cref="GrpcServerOptions"/> (section <c>Grpc:Server</c>, validated at start),
    /// JSON transcoding, reflection and the health service.
    /// </summary>
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
        // A client that left ends its call CANCELLED without an error logged (ClientCancellation); status messages quote
        // requests, so they are kept short enough for every client's header limit (StatusDetailLimit).
        services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<ClientCancellation>();
            grpc.Interceptors.Add<StatusDetailLimit>();
        }).AddJsonTranscoding();
        services.TryAddSingleton<ClientCancellation>();
        services.TryAddSingleton<StatusDetailLimit>();
        RequestDecoding.Add(services);
        // A response write that races the client's reset of its stream is logged at Debug, not Error (ClientResetLogging).
        ClientResetLogging.Add(services);
        services.AddOptions<GrpcServiceOptions>().Configure<IOptions<GrpcServerOptions>>((grpc, cascade) =>
        {
            grpc.MaxReceiveMessageSize = cascade.Value.MaxReceiveMessageSize;
            grpc.MaxSendMessageSize = cascade.Value.MaxSendMessageSize;
            grpc.EnableDetailedErrors = cascade.Value.EnableDetailedErrors;
            // Runs after Grpc.AspNetCore's own setup has added gzip and deflate.
            grpc.CompressionProviders = RequestDecoding.Checked(grpc.CompressionProviders, cascade.Value.MaxReceiveMessageSize);
        });
        services.AddGrpcReflection();
        services.TryAddSingleton<HealthStatusRegistry>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, HealthShutdownNotifier>());
        services.AddGrpcService<HealthGrpcService>();
        return services;
    }

    /// <summary>
    /// Registers a gRPC service implementation to be served by <see cref="MapCascadeGrpc"/>. One instance serves every
    /// call (a singleton, as Grpc.AspNetCore uses whatever the container holds): handlers must be thread-safe.
    /// </summary>
    public static IServiceCollection AddGrpcService<TService>(this IServiceCollection services)
        where TService : class
    {
        if (services.Any(d => d.ImplementationInstance is GrpcServiceMapping mapping && mapping.ServiceType == typeof(TService)))
        {
            return services;
        }
        services.TryAddSingleton<TService>();
        services.AddSingleton(new GrpcServiceMapping(typeof(TService), endpoints => endpoints.MapGrpcService<TService>()));
        return services;
    }

    /// <summary>
    /// Serves every registered service (with the REST routes of its <c>google.api.http</c> annotations) and
    /// reflection. Call after <c>UseRouting</c> and <c>UseGrpcWeb</c>, which makes every one of them a gRPC-Web endpoint too.
    /// </summary>
    public static IEndpointRouteBuilder MapCascadeGrpc(this IEndpointRouteBuilder endpoints)
    {
        foreach (var mapping in endpoints.ServiceProvider.GetServices<GrpcServiceMapping>())
        {
            mapping.Map(endpoints);
        }
        endpoints.MapGrpcReflectionService();
        return endpoints;
    }

    /// <summary>The gRPC services a built host actually serves (from its endpoints), in name order.</summary>
    public static IReadOnlyList<string> ServedServices(IServiceProvider services) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints
            .Select(endpoint => endpoint.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method.ServiceName)
            .OfType<string>().Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>Listens for gRPC on an HTTP/2-only cleartext endpoint, with <see cref="ApplyGrpcLimits"/>.</summary>
    /// <remarks>HTTP/2 only: on a cleartext endpoint that also speaks HTTP/1.1, prior-knowledge HTTP/2 clients get GOAWAY.</remarks>
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
}

/// <summary>How one registered gRPC service is mapped (kept in the container so service modules stay composable).</summary>
public sealed record GrpcServiceMapping(Type ServiceType, Func<IEndpointRouteBuilder, GrpcServiceEndpointConventionBuilder> Map);
