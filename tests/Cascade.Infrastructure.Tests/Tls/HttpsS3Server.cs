namespace Cascade.Infrastructure.Tests.Tls;

/// <summary>
/// An s3rver 3.7.1 of its own serving https only (its <c>--key</c>/<c>--cert</c> options) with a certificate from a CA
/// made with openssl, and checking request signatures (no <c>--allow-mismatched-signatures</c>): a request signed with
/// another secret key is refused. s3rver comes from the cache infra/lib.sh installs it into (npm, once).
/// </summary>
public sealed class HttpsS3Server : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cascade-s3-tls-").FullName;
    private IsolatedProcess? _s3;

    public int Port { get; } = IsolatedProcess.FreePort();

    /// <summary>What an operator puts in <c>Cascade__Infrastructure__S3__ServiceUrl</c>.</summary>
    public string ServiceUrl => $"https://127.0.0.1:{Port}";

    public string Bucket => "cascade-artifacts";

    /// <summary>s3rver's one account (its defaults, which it does not let one change from the command line).</summary>
    public string AccessKey => "S3RVER";

    public string SecretKey => "S3RVER";

    internal TestCertificateAuthority Ca { get; private set; } = null!;

    /// <summary>A CA the server's certificate does not chain to.</summary>
    internal TestCertificateAuthority Stranger { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var s3rver = await S3rverAsync();
        Ca = await TestCertificateAuthority.CreateAsync(_folder, "s3-ca");
        Stranger = await TestCertificateAuthority.CreateAsync(_folder, "stranger-ca");
        var server = await Ca.IssueAsync("s3-server", "serverAuth");
        _s3 = IsolatedProcess.Start("node",
        [
            s3rver, "-d", Path.Combine(_folder, "data"), "-a", "127.0.0.1", "-p", $"{Port}", "--silent",
            "--key", server.KeyFile, "--cert", server.CertificateFile, "--configure-bucket", Bucket,
        ], _folder);
        await _s3.WaitUntilReadyAsync(() => _s3.Printed("S3rver listening"), "s3rver listens", TimeSpan.FromSeconds(60));
    }

    public Task DisposeAsync()
    {
        _s3?.Dispose();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>s3rver's CLI in infra's cache (<c>CASCADE_INFRA_CACHE</c>, by default <c>.cascade/cache</c>), installed there as infra/lib.sh does when missing.</summary>
    private static async Task<string> S3rverAsync()
    {
        var cache = Environment.GetEnvironmentVariable("CASCADE_INFRA_CACHE") is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(RepositoryRoot(), ".cascade", "cache");
        var folder = Path.Combine(cache, "s3rver");
        var cli = Path.Combine(folder, "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(cli))
        {
            Directory.CreateDirectory(folder);
            await IsolatedProcess.RunAsync("bash", ["-c", $"cd '{folder}' && npm install --silent --no-audit --no-fund s3rver@3.7.1"], TimeSpan.FromMinutes(5));
        }
        return cli;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Microservices.sln"))) return directory.FullName;
        }
        throw new InvalidOperationException("Microservices.sln not found above the test's folder.");
    }
}
