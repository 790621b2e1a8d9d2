using System.ComponentModel.DataAnnotations;

using Cascade.Hosting;

namespace Cascade.Host;

/// <summary>Where the all-in-one host listens and keeps its data.</summary>
public sealed class AllInOneHostOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Cascade:Host";

    /// <summary>Address both endpoints bind to.</summary>
    /// <value>The default value is 127.0.0.1: the embedded default is for one machine; put a proxy in front to expose it.</value>
    [Required]
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>Port of the gRPC endpoint (HTTP/2 only): every service API, health checking, OIP v2.</summary>
    /// <value>The default value is 50051.</value>
    [Range(0, 65535)]
    public int GrpcPort { get; set; } = 50051;

    /// <summary>Port of the HTTP endpoint: <c>/healthz</c>, <c>/metrics</c>.</summary>
    /// <value>The default value is 8080.</value>
    [Range(0, 65535)]
    public int HttpPort { get; set; } = 8080;

    /// <summary>Directory for the event log, stores and artifacts.</summary>
    /// <value>The default value is <c>.cascade</c> under the working directory.</value>
    [Required]
    public string DataDirectory { get; set; } = ".cascade";

    /// <summary>Which implementation stands behind each shared seam (event log, stores, job transport).</summary>
    /// <value>The default value is the embedded set: no servers needed.</value>
    public InfrastructureOptions Infrastructure { get; set; } = new();
}
