using System.Net.Sockets;

namespace Cascade.Infrastructure.Tests.Tls;

/// <summary>
/// A RabbitMQ node of its own whose only listener is TLS (<c>listeners.tcp = none</c>), that requires a client
/// certificate signed by its CA (<c>verify_peer</c> + <c>fail_if_no_peer_cert</c>) and knows one user with a password
/// (<c>default_user</c>/<c>default_pass</c>, created at the first boot). Its node name, distribution port, epmd (a port
/// mapper of its own, as infra/lib.sh starts one) and folders are its own, so it never meets the shared node.
/// </summary>
public sealed class TlsRabbitMqNode : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cascade-rabbit-tls-").FullName;
    private IsolatedProcess? _epmd;
    private IsolatedProcess? _rabbit;

    public int Port { get; } = IsolatedProcess.FreePort();

    public string Username => "cascade-jobs";

    public string Password => "rabbit-secret-2b8f";

    internal TestCertificateAuthority Ca { get; private set; } = null!;

    /// <summary>A CA the node's certificate does not chain to.</summary>
    internal TestCertificateAuthority Stranger { get; private set; } = null!;

    internal IssuedCertificate Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Ca = await TestCertificateAuthority.CreateAsync(_folder, "rabbit-ca");
        Stranger = await TestCertificateAuthority.CreateAsync(_folder, "stranger-ca");
        var server = await Ca.IssueAsync("rabbit-server", "serverAuth");
        Client = await Ca.IssueAsync("rabbit-client", "clientAuth");
        var epmdPort = IsolatedProcess.FreePort();
        var distributionPort = IsolatedProcess.FreePort();
        await File.WriteAllTextAsync(Path.Combine(_folder, "rabbitmq.conf"), $"""
            listeners.tcp = none
            listeners.ssl.default = 127.0.0.1:{Port}
            ssl_options.cacertfile = {Ca.CertificateFile}
            ssl_options.certfile = {server.CertificateFile}
            ssl_options.keyfile = {server.KeyFile}
            ssl_options.verify = verify_peer
            ssl_options.fail_if_no_peer_cert = true
            default_user = {Username}
            default_pass = {Password}
            loopback_users = none
            log.console = true
            log.console.level = info
            log.file = false
            """);
        await File.WriteAllTextAsync(Path.Combine(_folder, "enabled_plugins"), "[].");

        // The port mapper first: -start_epmd false keeps the node from starting a detached one of its own.
        _epmd = IsolatedProcess.Start("epmd", ["-port", $"{epmdPort}", "-address", "127.0.0.1"], _folder);
        await _epmd.WaitUntilReadyAsync(() => Accepts(epmdPort), "epmd listens", TimeSpan.FromSeconds(20));
        _rabbit = IsolatedProcess.Start("/usr/lib/rabbitmq/bin/rabbitmq-server", [], _folder, new Dictionary<string, string>
        {
            ["HOME"] = _folder,
            ["RABBITMQ_NODENAME"] = $"cascade-tls-{Guid.NewGuid():N}"[..24] + "@localhost",
            ["RABBITMQ_DIST_PORT"] = $"{distributionPort}",
            ["ERL_EPMD_PORT"] = $"{epmdPort}",
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-start_epmd false",
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(_folder, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(_folder, "log"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(_folder, "rabbitmq"),
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(_folder, "advanced.config"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_folder, "enabled_plugins"),
        });
        // The TLS listener opens last in the boot, after the default user exists. A busy machine may need minutes.
        await _rabbit.WaitUntilReadyAsync(() => Accepts(Port), "the node's TLS listener accepts connections", TimeSpan.FromSeconds(150));
    }

    public Task DisposeAsync()
    {
        _rabbit?.Dispose();
        _epmd?.Dispose();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
