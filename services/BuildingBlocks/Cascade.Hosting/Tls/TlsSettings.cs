using Microsoft.Extensions.Options;

namespace Cascade.Hosting.Tls;

/// <summary>
/// The checks <see cref="TlsOptions"/> passes before a host is built: settings that belong together are set together,
/// and every file named can be read and holds what its setting says. Each error names its setting.
/// </summary>
public static class TlsSettings
{
    private const string Section = TlsOptions.SectionName;

    /// <exception cref="OptionsValidationException">Something is wrong; the message lists every error, each naming its setting.</exception>
    public static void ThrowIfInvalid(TlsOptions options)
    {
        var errors = Errors(options).ToArray();
        if (errors.Length > 0) throw new OptionsValidationException(Section, typeof(TlsOptions), errors);
    }

    /// <summary>Every error, each naming its setting.</summary>
    public static IEnumerable<string> Errors(TlsOptions options)
    {
        foreach (var error in ValidatedOptions.Validate(options, Section)) yield return error;

        if (string.IsNullOrEmpty(options.CertificateFile) != string.IsNullOrEmpty(options.KeyFile))
        {
            yield return $"{Section}:CertificateFile and {Section}:KeyFile go together: set both (TLS) or neither (cleartext).";
        }
        else if (options.Enabled)
        {
            if ((Unreadable(options.CertificateFile, "CertificateFile") ?? Unreadable(options.KeyFile, "KeyFile")) is { } unreadable)
            {
                yield return unreadable;
            }
            else if (Unloadable(() => PemCertificate.Load(options.CertificateFile, options.KeyFile, options.KeyPassword)) is { } reason)
            {
                yield return $"{Section}:CertificateFile '{options.CertificateFile}' with {Section}:KeyFile '{options.KeyFile}' does not load: {reason}";
            }
        }

        foreach (var (setting, mode) in new[] { ("ClientCertificateMode", options.ClientCertificateMode), ("HttpClientCertificateMode", options.HttpClientCertificateMode) })
        {
            if (mode == TlsClientCertificateMode.None) continue;
            if (!options.Enabled) yield return $"{Section}:{setting} is {mode}, which needs TLS: set {Section}:CertificateFile and {Section}:KeyFile.";
            if (string.IsNullOrEmpty(options.ClientCaFile)) yield return $"{Section}:{setting} is {mode}: set {Section}:ClientCaFile to the CA that signs the clients' certificates.";
        }
        if (!options.MutualTls && !string.IsNullOrEmpty(options.ClientCaFile))
        {
            // A CA set without a mode would look like mutual TLS and be none.
            yield return $"{Section}:ClientCaFile is set but {Section}:ClientCertificateMode and {Section}:HttpClientCertificateMode are None: set one to Require (or Allow) for mutual TLS, or remove the CA.";
        }
        if (CaError(options.ClientCaFile, "ClientCaFile") is { } clientCa) yield return clientCa;
        if (CaError(options.CaFile, "CaFile") is { } ca) yield return ca;

        if (string.IsNullOrEmpty(options.ClientCertificateFile) != string.IsNullOrEmpty(options.ClientKeyFile))
        {
            yield return $"{Section}:ClientCertificateFile and {Section}:ClientKeyFile go together: set both or neither.";
        }
        else if (!string.IsNullOrEmpty(options.ClientCertificateFile))
        {
            if ((Unreadable(options.ClientCertificateFile, "ClientCertificateFile") ?? Unreadable(options.ClientKeyFile, "ClientKeyFile")) is { } unreadable)
            {
                yield return unreadable;
            }
            else if (Unloadable(() => PemCertificate.Load(options.ClientCertificateFile, options.ClientKeyFile, options.ClientKeyPassword)) is { } reason)
            {
                yield return $"{Section}:ClientCertificateFile '{options.ClientCertificateFile}' with {Section}:ClientKeyFile '{options.ClientKeyFile}' does not load: {reason}";
            }
        }
    }

    private static string? CaError(string file, string setting)
    {
        if (string.IsNullOrEmpty(file)) return null;
        return Unreadable(file, setting) ?? (Unloadable(() => CertificateAuthority.Load(file)) is { } reason ? $"{Section}:{setting} '{file}' is not a CA bundle: {reason}" : null);
    }

    private static string? Unreadable(string file, string setting)
    {
        try
        {
            using var _ = File.OpenRead(file);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"{Section}:{setting} '{file}' cannot be read: {ex.Message}";
        }
    }

    private static string? Unloadable(Action load)
    {
        try
        {
            load();
            return null;
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or ArgumentException or IOException)
        {
            return ex.Message;
        }
    }
}
