using System.Diagnostics;
using System.Net.Sockets;

namespace Cascade.Infrastructure.Tests.Tls;

/// <summary>
/// A Kafka 0.9.0.1 broker of its own (with its own ZooKeeper, on free ports) whose only listener is SSL and requires a
/// client certificate (<c>ssl.client.auth=required</c>): a CA made with openssl, the broker's key and certificate in a
/// JKS keystore and the CA in a JKS truststore, both made with keytool, as an operator of a 0.9 cluster would. The jars
/// are the ones infra/ uses (infra/lib.sh fetches them once).
/// </summary>
public sealed class SslKafkaBroker : IAsyncLifetime
{
    private const string StorePassword = "broker-store-secret";
    private readonly string _folder = Directory.CreateTempSubdirectory("cascade-kafka-ssl-").FullName;
    private IsolatedProcess? _zookeeper;
    private IsolatedProcess? _kafka;

    public string BootstrapServers { get; private set; } = string.Empty;

    internal TestCertificateAuthority Ca { get; private set; } = null!;

    /// <summary>A client certificate the broker accepts, its key encrypted with <see cref="ClientKeyPassword"/>.</summary>
    internal IssuedCertificate Client { get; private set; } = null!;

    public string ClientKeyPassword => "client-key-secret";

    public async Task InitializeAsync()
    {
        var classpath = await KafkaClasspathAsync();
        Ca = await TestCertificateAuthority.CreateAsync(_folder, "kafka-ca");
        var broker = await Ca.IssueAsync("broker");
        Client = await Ca.IssueAsync("client", "clientAuth", ClientKeyPassword);
        var keystore = Path.Combine(_folder, "broker.keystore.jks");
        var truststore = Path.Combine(_folder, "broker.truststore.jks");
        var pkcs12 = Path.Combine(_folder, "broker.p12");
        await RunAsync("openssl", "pkcs12", "-export", "-in", broker.CertificateFile, "-inkey", broker.KeyFile, "-certfile", Ca.CertificateFile, "-name", "broker", "-out", pkcs12, "-passout", $"pass:{StorePassword}");
        await RunAsync("keytool", "-importkeystore", "-srckeystore", pkcs12, "-srcstoretype", "PKCS12", "-srcstorepass", StorePassword,
            "-destkeystore", keystore, "-deststoretype", "JKS", "-deststorepass", StorePassword, "-destkeypass", StorePassword, "-noprompt");
        await RunAsync("keytool", "-importcert", "-alias", "ca", "-file", Ca.CertificateFile, "-keystore", truststore, "-storetype", "JKS", "-storepass", StorePassword, "-noprompt");

        var zookeeperPort = IsolatedProcess.FreePort();
        var kafkaPort = IsolatedProcess.FreePort();
        BootstrapServers = $"127.0.0.1:{kafkaPort}";
        var log4j = Path.Combine(_folder, "log4j.properties");
        await File.WriteAllTextAsync(log4j, """
            log4j.rootLogger=WARN, stdout
            log4j.appender.stdout=org.apache.log4j.ConsoleAppender
            log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
            log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
            log4j.logger.kafka.server.KafkaServer=INFO
            """);
        await File.WriteAllTextAsync(Path.Combine(_folder, "zookeeper.properties"), $"""
            dataDir={Path.Combine(_folder, "zookeeper")}
            clientPort={zookeeperPort}
            clientPortAddress=127.0.0.1
            maxClientCnxns=0
            """);
        await File.WriteAllTextAsync(Path.Combine(_folder, "kafka.properties"), $"""
            broker.id=0
            listeners=SSL://127.0.0.1:{kafkaPort}
            advertised.listeners=SSL://127.0.0.1:{kafkaPort}
            security.inter.broker.protocol=SSL
            ssl.keystore.location={keystore}
            ssl.keystore.password={StorePassword}
            ssl.key.password={StorePassword}
            ssl.truststore.location={truststore}
            ssl.truststore.password={StorePassword}
            ssl.client.auth=required
            ssl.enabled.protocols=TLSv1.2
            log.dirs={Path.Combine(_folder, "kafka")}
            zookeeper.connect=127.0.0.1:{zookeeperPort}
            num.partitions=1
            auto.create.topics.enable=true
            offsets.topic.replication.factor=1
            offsets.topic.num.partitions=1
            group.max.session.timeout.ms=30000
            controlled.shutdown.enable=false
            """);
        _zookeeper = IsolatedProcess.Start("java", ["-Xmx128m", $"-Dlog4j.configuration=file:{log4j}", "-cp", classpath, "org.apache.zookeeper.server.quorum.QuorumPeerMain", "zookeeper.properties"], _folder);
        await _zookeeper.WaitUntilReadyAsync(() => ZooKeeperIsOk(zookeeperPort), "ZooKeeper answers imok", TimeSpan.FromSeconds(60));
        _kafka = IsolatedProcess.Start("java", ["--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "-Xmx256m", "-XX:+UseSerialGC", $"-Dlog4j.configuration=file:{log4j}", "-cp", classpath, "kafka.Kafka", "kafka.properties"], _folder);
        await _kafka.WaitUntilReadyAsync(() => _kafka.Printed("started (kafka.server.KafkaServer)"), "the broker has started", TimeSpan.FromSeconds(90));
    }

    public Task DisposeAsync()
    {
        _kafka?.Dispose();
        _zookeeper?.Dispose();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>The jars of Kafka 0.9.0.1, fetched (once, into the shared cache) the way infra/ fetches them.</summary>
    private static async Task<string> KafkaClasspathAsync()
    {
        var lib = Path.Combine(RepositoryRoot(), "infra", "lib.sh");
        var logs = Directory.CreateTempSubdirectory("cascade-kafka-jars-").FullName;
        try
        {
            var start = new ProcessStartInfo("bash", ["-c", $"source '{lib}' && mkdir -p \"$LOGS\" && prepare_kafka_jars kafka-ssl >&2 && kafka_classpath"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment["CASCADE_INFRA_DIR"] = logs;
            var output = await RunAsync(start);
            return output.Trim();
        }
        finally
        {
            Directory.Delete(logs, recursive: true);
        }
    }

    private static bool ZooKeeperIsOk(int port)
    {
        try
        {
            using var client = new TcpClient("127.0.0.1", port);
            using var stream = client.GetStream();
            stream.Write("ruok"u8);
            var buffer = new byte[4];
            stream.ReadTimeout = 2000;
            return stream.ReadAtLeast(buffer, 4, throwOnEndOfStream: false) == 4 && "imok"u8.SequenceEqual(buffer);
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return false;
        }
    }

    private static Task<string> RunAsync(string file, params string[] arguments) =>
        RunAsync(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true });

    private static async Task<string> RunAsync(ProcessStartInfo start)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
        var error = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"{start.FileName} {string.Join(' ', start.ArgumentList)} failed: {await error}");
        return output;
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
