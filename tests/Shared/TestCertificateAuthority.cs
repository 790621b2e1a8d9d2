using System.Diagnostics;

namespace Cascade.Tests.Shared;

/// <summary>
/// A certificate authority made for one test with openssl (the tool operators use, as docs/security.md shows): a
/// self-signed CA and the certificates it issues, as PEM files in a folder of the test's own.
/// </summary>
internal sealed class TestCertificateAuthority
{
    private readonly string _directory;

    private TestCertificateAuthority(string directory, string name)
    {
        _directory = directory;
        Name = name;
    }

    public string Name { get; }

    /// <summary>The CA's certificate: what a peer that trusts this CA is given.</summary>
    public string CertificateFile => Path.Combine(_directory, $"{Name}.crt");

    public string KeyFile => Path.Combine(_directory, $"{Name}.key");

    /// <summary>Makes a CA named <paramref name="name"/> (its files are <c>name.crt</c> and <c>name.key</c> in <paramref name="directory"/>).</summary>
    public static async Task<TestCertificateAuthority> CreateAsync(string directory, string name)
    {
        var authority = new TestCertificateAuthority(directory, name);
        await OpenSslAsync(directory, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", authority.KeyFile, "-out", authority.CertificateFile,
            "-days", "2", "-subj", $"/CN={name}", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return authority;
    }

    /// <summary>
    /// Issues a certificate for 127.0.0.1 and localhost, usable by servers and clients (or only as <paramref name="usage"/>
    /// says), as <c>name.crt</c> and <c>name.key</c> (unencrypted PKCS#8; encrypted with <paramref name="password"/>).
    /// </summary>
    public async Task<IssuedCertificate> IssueAsync(string name, string usage = "serverAuth,clientAuth", string? password = null)
    {
        var certificate = Path.Combine(_directory, $"{name}.crt");
        var key = Path.Combine(_directory, $"{name}.key");
        var request = Path.Combine(_directory, $"{name}.csr");
        var extensions = Path.Combine(_directory, $"{name}.ext");
        await File.WriteAllTextAsync(extensions, $"subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage={usage}\nbasicConstraints=CA:FALSE\n");
        await OpenSslAsync(_directory, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", request, "-subj", $"/CN={name}");
        await OpenSslAsync(_directory, "x509", "-req", "-in", request, "-CA", CertificateFile, "-CAkey", KeyFile, "-CAcreateserial", "-out", certificate, "-days", "2", "-extfile", extensions);
        if (password is not null)
        {
            var plain = key + ".plain";
            File.Move(key, plain);
            await OpenSslAsync(_directory, "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", plain, "-out", key, "-passout", $"pass:{password}");
            File.Delete(plain);
        }
        return new IssuedCertificate(certificate, key);
    }

    private static async Task OpenSslAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("openssl", arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("openssl did not start (apt-get install -y openssl).");
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"openssl {string.Join(' ', arguments)} failed: {await error}");
    }
}

/// <summary>A certificate and its private key, as PEM files.</summary>
internal sealed record IssuedCertificate(string CertificateFile, string KeyFile);
