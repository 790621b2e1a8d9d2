using System.CommandLine;
using System.Security.Cryptography;
using Cascade.Hosting.Tls;

namespace Cascade.Cli.Commands;

/// <summary>
/// TLS of every channel the CLI opens to an <c>https://</c> address: <c>--ca FILE</c> (or <c>CASCADE_CA_FILE</c>) for
/// a host whose certificate a private CA signs, and <c>--cert FILE --key FILE</c> (or <c>CASCADE_CLIENT_CERT_FILE</c>,
/// <c>CASCADE_CLIENT_KEY_FILE</c>) for a host that requires a client certificate. <c>http://</c> addresses ignore them.
/// </summary>
internal static class CliTls
{
    public static Option<string?> CaFile { get; } = new("--ca") { Description = "CA certificate (PEM) that signs the host's TLS certificate (default: $CASCADE_CA_FILE; else the system's roots).", Recursive = true };

    public static Option<string?> CertificateFile { get; } = new("--cert") { Description = "Client certificate (PEM) for a host that requires mutual TLS (default: $CASCADE_CLIENT_CERT_FILE).", Recursive = true };

    public static Option<string?> KeyFile { get; } = new("--key") { Description = "Private key (PEM) of --cert (default: $CASCADE_CLIENT_KEY_FILE).", Recursive = true };

    /// <summary>What this run uses: the environment's until <see cref="Use"/> reads the command line.</summary>
    private static TlsOptions _current = Read(null);

    /// <summary>The handler every channel of this run is built on.</summary>
    public static SocketsHttpHandler Handler() => ClientTls.CreateHandler(_current);

    public static void AddTo(Command root)
    {
        root.Options.Add(CaFile);
        root.Options.Add(CertificateFile);
        root.Options.Add(KeyFile);
    }

    /// <summary>Takes the TLS options of <paramref name="parse"/> for this run; returns why they cannot be used, or null.</summary>
    public static string? Use(ParseResult parse)
    {
        var options = Read(parse);
        if (string.IsNullOrEmpty(options.ClientCertificateFile) != string.IsNullOrEmpty(options.ClientKeyFile)) return "--cert and --key go together.";
        try
        {
            if (!string.IsNullOrEmpty(options.CaFile)) CertificateAuthority.Load(options.CaFile);
            if (!string.IsNullOrEmpty(options.ClientCertificateFile)) PemCertificate.Load(options.ClientCertificateFile, options.ClientKeyFile, password: null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            return $"--ca/--cert/--key: {ex.Message}";
        }
        _current = options;
        return null;
    }

    private static TlsOptions Read(ParseResult? parse) => new()
    {
        CaFile = parse?.GetValue(CaFile) ?? Environment.GetEnvironmentVariable("CASCADE_CA_FILE") ?? string.Empty,
        ClientCertificateFile = parse?.GetValue(CertificateFile) ?? Environment.GetEnvironmentVariable("CASCADE_CLIENT_CERT_FILE") ?? string.Empty,
        ClientKeyFile = parse?.GetValue(KeyFile) ?? Environment.GetEnvironmentVariable("CASCADE_CLIENT_KEY_FILE") ?? string.Empty,
    };
}
