namespace Cascade.Infrastructure.Tests.Tls;

/// <summary>
/// A Redis of its own that speaks only TLS (<c>--port 0 --tls-port</c>), requires a client certificate signed by its CA
/// (Redis's default <c>tls-auth-clients yes</c>) and a password (<c>requirepass</c>).
/// </summary>
public sealed class TlsRedisServer : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cascade-redis-tls-").FullName;
    private IsolatedProcess? _redis;

    public int Port { get; } = IsolatedProcess.FreePort();

    public string Password => "redis-secret-7c41";

    internal TestCertificateAuthority Ca { get; private set; } = null!;

    internal IssuedCertificate Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Ca = await TestCertificateAuthority.CreateAsync(_folder, "redis-ca");
        var server = await Ca.IssueAsync("redis-server", "serverAuth");
        Client = await Ca.IssueAsync("redis-client", "clientAuth");
        _redis = IsolatedProcess.Start("redis-server",
        [
            "--port", "0", "--tls-port", $"{Port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _folder,
            "--tls-cert-file", server.CertificateFile, "--tls-key-file", server.KeyFile, "--tls-ca-cert-file", Ca.CertificateFile,
            "--requirepass", Password,
        ], _folder);
        await _redis.WaitUntilReadyAsync(() => _redis.Printed("Ready to accept connections"), "Redis is ready", TimeSpan.FromSeconds(30));
    }

    public Task DisposeAsync()
    {
        _redis?.Dispose();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }
}
