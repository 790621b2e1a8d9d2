using Microsoft.Extensions.Logging;

namespace Cascade.Hosting.Tls;

/// <summary>What the TLS layer logs: paths, subjects and fingerprints, never a key or a password.</summary>
internal static partial class TlsLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "TLS on both ports: serving {Certificate}; client certificates on the gRPC port: {GrpcMode}, on the HTTP port: {HttpMode}.")]
    public static partial void Serving(ILogger logger, PemCertificate certificate, TlsClientCertificateMode grpcMode, TlsClientCertificateMode httpMode);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "TLS files of {Setting} changed: loaded {Value}.")]
    public static partial void Reloaded(ILogger logger, string setting, object value);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "TLS files of {Setting} changed but do not load ({Reason}); still using {Value} until they do.")]
    public static partial void NotReloaded(ILogger logger, string setting, string reason, object value);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "TLS files of {Setting} cannot be read ({Reason}); still using what was loaded before.")]
    public static partial void Unreadable(ILogger logger, string setting, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "The certificate {Certificate} expires in {Days:0.#} days.")]
    public static partial void ExpiresSoon(ILogger logger, PemCertificate certificate, double days);
}
