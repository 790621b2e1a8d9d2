namespace Cascade.Hosting.Tests.Tls;

/// <summary>
/// The certificates the TLS tests share, made once per test class with openssl: a server CA with a certificate for
/// 127.0.0.1, a client CA with a client certificate, and a stranger CA whose certificates no host trusts.
/// </summary>
public sealed class TlsCertificates : IAsyncLifetime
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("cascade-tls-").FullName;

    internal TestCertificateAuthority ServerCa { get; private set; } = null!;

    internal TestCertificateAuthority ClientCa { get; private set; } = null!;

    internal TestCertificateAuthority StrangerCa { get; private set; } = null!;

    internal IssuedCertificate Server { get; private set; } = null!;

    internal IssuedCertificate Client { get; private set; } = null!;

    internal IssuedCertificate StrangerClient { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        ServerCa = await TestCertificateAuthority.CreateAsync(Directory, "server-ca");
        ClientCa = await TestCertificateAuthority.CreateAsync(Directory, "client-ca");
        StrangerCa = await TestCertificateAuthority.CreateAsync(Directory, "stranger-ca");
        Server = await ServerCa.IssueAsync("server", "serverAuth");
        Client = await ClientCa.IssueAsync("client", "clientAuth");
        StrangerClient = await StrangerCa.IssueAsync("stranger-client", "clientAuth");
    }

    public Task DisposeAsync()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
        return Task.CompletedTask;
    }
}
