using Confluent.Kafka;

namespace Cascade.EventLog.Kafka;

/// <summary>
/// TLS and SASL of every Kafka client the event log makes, from <see cref="KafkaEventLogOptions"/>. librdkafka reads the
/// certificate files itself when a client is created (a renewed certificate is used by clients made after it).
/// </summary>
public static class KafkaSecurity
{
    /// <summary>Sets the security properties of <paramref name="options"/> on <paramref name="config"/> (a client of any kind).</summary>
    public static void Apply(KafkaEventLogOptions options, ClientConfig config)
    {
        config.SecurityProtocol = options.SecurityProtocol;
        if (!string.IsNullOrEmpty(options.SslCaFile)) config.SslCaLocation = options.SslCaFile;
        if (!string.IsNullOrEmpty(options.SslCertificateFile)) config.SslCertificateLocation = options.SslCertificateFile;
        if (!string.IsNullOrEmpty(options.SslKeyFile)) config.SslKeyLocation = options.SslKeyFile;
        if (!string.IsNullOrEmpty(options.SslKeyPassword)) config.SslKeyPassword = options.SslKeyPassword;
        if (options.SaslMechanism is { } mechanism) config.SaslMechanism = mechanism;
        if (!string.IsNullOrEmpty(options.SaslUsername)) config.SaslUsername = options.SaslUsername;
        if (!string.IsNullOrEmpty(options.SaslPassword)) config.SaslPassword = options.SaslPassword;
        foreach (var (key, value) in options.Settings) config.Set(key, value);
    }

    /// <summary>Settings that contradict each other or name files that cannot be read, each by its key under <paramref name="section"/>.</summary>
    public static IEnumerable<string> Errors(KafkaEventLogOptions options, string section)
    {
        var sasl = options.SecurityProtocol is SecurityProtocol.SaslSsl or SecurityProtocol.SaslPlaintext;
        var tls = options.SecurityProtocol is SecurityProtocol.Ssl or SecurityProtocol.SaslSsl;
        if (sasl && options.SaslMechanism is null) yield return $"{section}:SaslMechanism: SecurityProtocol {options.SecurityProtocol} needs a mechanism (Plain, ScramSha256, ScramSha512).";
        if (!sasl && (options.SaslMechanism is not null || !string.IsNullOrEmpty(options.SaslUsername)))
        {
            yield return $"{section}:SecurityProtocol: SASL settings are given but SecurityProtocol is {options.SecurityProtocol}; use SaslSsl (or SaslPlaintext).";
        }
        if (!tls && (options.SslCaFile, options.SslCertificateFile, options.SslKeyFile) != (string.Empty, string.Empty, string.Empty))
        {
            yield return $"{section}:SecurityProtocol: TLS files are given but SecurityProtocol is {options.SecurityProtocol}; use Ssl (or SaslSsl).";
        }
        if (string.IsNullOrEmpty(options.SslCertificateFile) != string.IsNullOrEmpty(options.SslKeyFile))
        {
            yield return $"{section}:SslCertificateFile and {section}:SslKeyFile go together: set both or neither.";
        }
        foreach (var (setting, file) in new[] { ("SslCaFile", options.SslCaFile), ("SslCertificateFile", options.SslCertificateFile), ("SslKeyFile", options.SslKeyFile) })
        {
            if (string.IsNullOrEmpty(file)) continue;
            string? problem = null;
            try
            {
                using var _ = File.OpenRead(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                problem = ex.Message;
            }
            if (problem is not null) yield return $"{section}:{setting} '{file}' cannot be read: {problem}";
        }
    }
}
