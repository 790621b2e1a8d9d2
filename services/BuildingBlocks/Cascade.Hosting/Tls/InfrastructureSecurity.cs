using Cascade.EventLog.Kafka;
using Cascade.Storage.Redis;
using Microsoft.Extensions.Options;

namespace Cascade.Hosting.Tls;

/// <summary>
/// The credential and TLS settings of the servers a process is configured to use (Kafka, Redis, RabbitMQ, S3),
/// checked when the host is built: a certificate file that is missing would otherwise surface as a connection error
/// on first use, possibly long after the start. Servers the configuration does not choose are not checked.
/// </summary>
public static class InfrastructureSecurity
{
    private const string Section = InfrastructureOptions.SectionName;

    /// <exception cref="OptionsValidationException">Something is wrong; each error names its setting.</exception>
    public static void ThrowIfInvalid(InfrastructureOptions options)
    {
        var errors = Errors(options).ToArray();
        if (errors.Length > 0) throw new OptionsValidationException(Section, typeof(InfrastructureOptions), errors);
    }

    public static IEnumerable<string> Errors(InfrastructureOptions options)
    {
        var errors = new List<string>();
        if (options.EventLog == "kafka") errors.AddRange(KafkaSecurity.Errors(options.Kafka, $"{Section}:Kafka"));
        if (options.OnlineStore == "redis") errors.AddRange(RedisConnection.Errors(options.Redis, $"{Section}:Redis"));
        if (options.Artifacts == "s3") errors.AddRange(Files($"{Section}:S3", ("CaFile", options.S3.CaFile)));
        if (options.Jobs == JobTransport.RabbitMq)
        {
            var rabbit = options.RabbitMq;
            if (string.IsNullOrEmpty(rabbit.ClientCertificateFile) != string.IsNullOrEmpty(rabbit.ClientKeyFile))
            {
                errors.Add($"{Section}:RabbitMq:ClientCertificateFile and {Section}:RabbitMq:ClientKeyFile go together: set both or neither.");
            }
            if (!rabbit.Ssl && (rabbit.CaFile.Length > 0 || rabbit.ClientCertificateFile.Length > 0))
            {
                errors.Add($"{Section}:RabbitMq:Ssl is false but TLS files are given: set it to true (and Port to the broker's TLS port).");
            }
            errors.AddRange(Files($"{Section}:RabbitMq", ("CaFile", rabbit.CaFile), ("ClientCertificateFile", rabbit.ClientCertificateFile), ("ClientKeyFile", rabbit.ClientKeyFile)));
        }
        return errors;
    }

    private static IEnumerable<string> Files(string section, params (string Setting, string File)[] files)
    {
        foreach (var (setting, file) in files)
        {
            if (!string.IsNullOrEmpty(file) && !File.Exists(file)) yield return $"{section}:{setting} '{file}' does not exist.";
        }
    }
}
