using System.Net;
using Cascade.Grpc.Health;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cascade.Grpc.Server;

/// <summary>Registration of the gRPC server layer in ASP.NET Core.</summary>
public static class GrpcServerExtensions
{
    /// <summary>Adds the gRPC layer, its options and the standard health service.</summary>
    public static IServiceCollection AddCascadeGrpc(this IServiceCollection services, Action<GrpcServerOptions>? configure = null)
    {
        var options = services.AddOptions<GrpcServerOptions>().ValidateDataAnnotations().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        services.TryAddSingleton<GrpcMethodRegistry>();
        services.TryAddSingleton<HealthStatusRegistry>();
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

    /// <summary>Serves the registered gRPC services; requests without a gRPC content type pass through.</summary>
    public static IApplicationBuilder UseCascadeGrpc(this IApplicationBuilder app) => app.UseMiddleware<GrpcDispatcher>();

    /// <summary>Listens for gRPC on an HTTP/2-only cleartext endpoint.</summary>
    /// <remarks>HTTP/2 only: a mixed HTTP/1.1+HTTP/2 cleartext endpoint answers prior-knowledge HTTP/2 clients with GOAWAY.</remarks>
    public static void ListenGrpc(this KestrelServerOptions kestrel, IPAddress address, int port)
    {
        kestrel.Listen(address, port, listen => listen.Protocols = HttpProtocols.Http2);
        ApplyGrpcLimits(kestrel);
    }

    /// <summary>HTTP/2 settings suited to gRPC: more concurrent streams, larger flow-control windows, keep-alive pings.</summary>
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
