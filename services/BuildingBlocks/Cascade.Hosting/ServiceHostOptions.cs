using System.ComponentModel.DataAnnotations;
using Cascade.Hosting.Tls;

namespace Cascade.Hosting;

/// <summary>
/// What one Cascade process needs to know, bound from configuration section <c>Cascade</c> (environment variables
/// such as <c>Cascade__GrpcPort=50052</c>, or command-line <c>--Cascade:GrpcPort=50052</c>; <c>tye.yaml</c> sets them).
/// </summary>
public sealed class ServiceHostOptions
{
    /// <summary>Address both endpoints bind to.</summary>
    [Required]
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>Port of the gRPC endpoint (HTTP/2 only).</summary>
    [Range(0, 65535)]
    public int GrpcPort { get; set; } = 50051;

    /// <summary>Port of the HTTP endpoint (<c>/healthz</c>).</summary>
    [Range(0, 65535)]
    public int HttpPort { get; set; } = 8080;

    /// <summary>This process's own state (its SQLite files, scratch space).</summary>
    [Required]
    public string DataDirectory { get; set; } = ".cascade";

    /// <summary>Which implementation stands behind each shared seam.</summary>
    public InfrastructureOptions Infrastructure { get; set; } = new();

    /// <summary>TLS of both ports, mutual TLS, and how this process trusts the services it calls (<c>Cascade:Tls</c>).</summary>
    public TlsOptions Tls { get; set; } = new();

    /// <summary>Where traces go (metrics are always on <c>/metrics</c>).</summary>
    public TelemetryOptions Telemetry { get; set; } = new();

    /// <summary>gRPC addresses of the other services this one calls (by service name: <c>registry</c>, …).</summary>
    public Dictionary<string, string> Services { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
