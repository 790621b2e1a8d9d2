using Npgsql;

namespace Cascade.Infrastructure.Tests.Tls;

/// <summary>
/// A PostgreSQL 15 of its own (initdb into a temp folder, on a free port, no Unix socket) that accepts only TLS
/// connections with a password: <c>ssl = on</c> with a certificate from a CA made with openssl, and a pg_hba.conf with
/// <c>hostssl … scram-sha-256</c> lines only (no <c>host</c> line, so a connection without TLS finds no entry). The
/// application's role <see cref="User"/> must also present a client certificate whose CN is its name
/// (<c>clientcert=verify-full</c>); the superuser, which only sets the database up, needs the password alone.
/// As root the server runs as the <c>postgres</c> user (PostgreSQL refuses root), as infra/lib.sh runs it.
/// </summary>
public sealed class TlsPostgresServer : IAsyncLifetime
{
    private const string SuperuserPassword = "pg-super-secret-5e21";
    private readonly string _folder = Directory.CreateTempSubdirectory("cascade-pg-tls-").FullName;
    private IsolatedProcess? _postgres;

    public int Port { get; } = IsolatedProcess.FreePort();

    /// <summary>The application's role, owner of <see cref="Database"/>.</summary>
    public string User => "cascade";

    public string Database => "cascade";

    public string Password => "pg-app-secret-93d7";

    internal TestCertificateAuthority Ca { get; private set; } = null!;

    /// <summary>A CA the server's certificate does not chain to.</summary>
    internal TestCertificateAuthority Stranger { get; private set; } = null!;

    /// <summary>The client certificate of <see cref="User"/> (CN=cascade), signed by <see cref="Ca"/>.</summary>
    internal IssuedCertificate Client { get; private set; } = null!;

    private static bool IsRoot => Environment.UserName == "root";

    private string Data => Path.Combine(_folder, "data");

    public async Task InitializeAsync()
    {
        var bin = PostgresBin();
        Ca = await TestCertificateAuthority.CreateAsync(_folder, "pg-ca");
        Stranger = await TestCertificateAuthority.CreateAsync(_folder, "stranger-ca");
        var server = await Ca.IssueAsync("pg-server", "serverAuth");
        Client = await Ca.IssueAsync(User, "clientAuth");

        // The postgres user must enter the folder; the data folder is its own.
        await IsolatedProcess.RunAsync("chmod", ["711", _folder], TimeSpan.FromSeconds(30));
        Directory.CreateDirectory(Data);
        var passwordFile = Path.Combine(_folder, "superuser.pw");
        await File.WriteAllTextAsync(passwordFile, SuperuserPassword + "\n");
        await OwnAsync(Data);
        await OwnAsync(passwordFile);
        await AsPostgresAsync(Path.Combine(bin, "initdb"), "-D", Data, "-U", "postgres", "--pwfile", passwordFile, "--auth-local=reject", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync");
        File.Delete(passwordFile);

        File.Copy(server.CertificateFile, Path.Combine(Data, "server.crt"));
        File.Copy(server.KeyFile, Path.Combine(Data, "server.key"));
        File.Copy(Ca.CertificateFile, Path.Combine(Data, "ca.crt"));
        await File.AppendAllTextAsync(Path.Combine(Data, "postgresql.conf"), $"""

            listen_addresses = '127.0.0.1'
            port = {Port}
            unix_socket_directories = ''
            ssl = on
            ssl_cert_file = 'server.crt'
            ssl_key_file = 'server.key'
            ssl_ca_file = 'ca.crt'
            password_encryption = 'scram-sha-256'
            fsync = off
            """);
        await File.WriteAllTextAsync(Path.Combine(Data, "pg_hba.conf"), $"""
            # TLS only: no 'host' line, so a connection without TLS finds no entry and is refused.
            hostssl all postgres 127.0.0.1/32 scram-sha-256
            hostssl all {User} 127.0.0.1/32 scram-sha-256 clientcert=verify-full
            """);
        await OwnAsync(Data);
        await IsolatedProcess.RunAsync("chmod", ["600", Path.Combine(Data, "server.key")], TimeSpan.FromSeconds(30));

        _postgres = IsRoot
            ? IsolatedProcess.Start("runuser", ["-u", "postgres", "--", Path.Combine(bin, "postgres"), "-D", Data], "/")
            : IsolatedProcess.Start(Path.Combine(bin, "postgres"), ["-D", Data], "/");
        await _postgres.WaitUntilReadyAsync(() => _postgres.Printed("database system is ready to accept connections"), "PostgreSQL is ready", TimeSpan.FromSeconds(60));

        await using var admin = NpgsqlDataSource.Create(ConnectionString("postgres", "postgres", SuperuserPassword, clientCertificate: false));
        await using (var role = admin.CreateCommand($"CREATE ROLE {User} LOGIN PASSWORD '{Password}'")) await role.ExecuteNonQueryAsync();
        await using (var database = admin.CreateCommand($"CREATE DATABASE {Database} OWNER {User}")) await database.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// What an operator puts in <c>Cascade__Infrastructure__Postgres</c>: the server, TLS with the server's certificate
    /// checked against <paramref name="rootCertificate"/> (and the host name), the client certificate; no password.
    /// </summary>
    public string Settings(string rootCertificate, bool clientCertificate = true) =>
        $"Host=127.0.0.1;Port={Port};Username={User};Database={Database};Timeout=15;SSL Mode=VerifyFull;Root Certificate={rootCertificate}"
        + (clientCertificate ? $";SSL Certificate={Client.CertificateFile};SSL Key={Client.KeyFile}" : string.Empty);

    private string ConnectionString(string user, string database, string password, bool clientCertificate) =>
        new NpgsqlConnectionStringBuilder(Settings(Ca.CertificateFile, clientCertificate)) { Username = user, Database = database, Password = password, Pooling = false }.ConnectionString;

    public async Task DisposeAsync()
    {
        if (_postgres is not null && !_postgres.HasExited)
        {
            try
            {
                await AsPostgresAsync(Path.Combine(PostgresBin(), "pg_ctl"), "-D", Data, "-m", "immediate", "-w", "-t", "20", "stop");
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
            {
                // Killed below.
            }
        }
        _postgres?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>The newest PostgreSQL under /usr/lib/postgresql (Debian's layout; infra/lib.sh picks it the same way).</summary>
    private static string PostgresBin() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderBy(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var major) ? major : 0).LastOrDefault()
                ?? throw new InvalidOperationException("no initdb under /usr/lib/postgresql/*/bin: install postgresql-15")
            : throw new InvalidOperationException("no /usr/lib/postgresql: install postgresql-15");

    private static Task OwnAsync(string folder) =>
        IsRoot ? IsolatedProcess.RunAsync("chown", ["-R", "postgres:postgres", folder], TimeSpan.FromSeconds(30)) : Task.CompletedTask;

    private static Task AsPostgresAsync(string file, params string[] arguments) =>
        IsRoot
            ? IsolatedProcess.RunAsync("runuser", ["-u", "postgres", "--", file, .. arguments], TimeSpan.FromSeconds(90))
            : IsolatedProcess.RunAsync(file, arguments, TimeSpan.FromSeconds(90));
}
