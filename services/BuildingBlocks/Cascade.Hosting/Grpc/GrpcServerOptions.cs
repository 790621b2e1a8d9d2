using System.ComponentModel.DataAnnotations;

namespace Cascade.Hosting.Grpc;

/// <summary>Options of the gRPC server layer.</summary>
public sealed class GrpcServerOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Grpc:Server";

    /// <summary>Largest request message accepted (after decompression).</summary>
    /// <value>The default value is 4 MiB, gRPC's usual default.</value>
    [Range(1, int.MaxValue)]
    public int MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest response message sent.</summary>
    /// <value>The default value is 4 MiB.</value>
    [Range(1, int.MaxValue)]
    public int MaxSendMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Whether error details include the exception message of unexpected handler failures (never in production).</summary>
    /// <value>The default value is false.</value>
    public bool EnableDetailedErrors { get; set; }
}
