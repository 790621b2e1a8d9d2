using Cascade.Contracts.Registry.V1;
using Cascade.Hosting;
using Cascade.Registry.Storage;
using Cascade.Storage.OfflineStore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cascade.Infrastructure.Tests.Tls;

/// <summary>
/// The PostgreSQL-backed stores (registry, offline store) over TLS with a password and a client certificate, from the
/// settings an operator gives (<c>Cascade__Infrastructure__Postgres</c> without a password,
/// <c>Cascade__Infrastructure__PostgresPassword</c> from a Secret), against a server that accepts nothing else.
/// </summary>
public sealed class PostgresTlsTests(TlsPostgresServer postgres) : IClassFixture<TlsPostgresServer>
{
    private InfrastructureOptions Options(string password, string? rootCertificate = null, bool clientCertificate = true) => new()
    {
        RegistryStore = "postgres",
        OfflineStore = "postgres",
        Postgres = postgres.Settings(rootCertificate ?? postgres.Ca.CertificateFile, clientCertificate),
        PostgresPassword = password,
    };

    [Fact]
    public async Task The_registry_and_offline_stores_write_and_read_over_tls_with_the_password_from_the_setting()
    {
        var options = Options(postgres.Password);
        options.Postgres.Should().NotContain(postgres.Password, "the password comes from its own setting");
        var model = Servers.Unique("tls-model");

        using (var registry = new PostgresRegistryStore(options.PostgresConnectionString()))
        {
            registry.EnsureModel(model, TaskType.BinaryClassification);
            var added = registry.AddVersion(new ModelVersionSpec { Model = model, Objective = "binary:logistic", ArtifactSha256 = new string('b', 64) }, "tls-worker");
            added.Meta.Version.Should().Be(1);
        }
        using (var again = new PostgresRegistryStore(options.PostgresConnectionString()))
        {
            again.GetVersion(model, 1)!.Meta.RegisteredBy.Should().Be("tls-worker");
        }

        // The offline store as a process composes it from the settings.
        await using (var provider = new ServiceCollection().AddCascadeInfrastructure(options, Path.GetTempPath()).BuildServiceProvider())
        {
            var offline = provider.GetRequiredService<IOfflineStore>();
            offline.Should().BeOfType<PostgresOfflineStore>();
            var view = Servers.Unique("tls-view");
            (await offline.AppendAsync(view, 1, [new OfflineFeatureRow("e1", DateTimeOffset.UnixEpoch, 0, 0, [1.5, -2], 1)])).Should().Be(1);
            var rows = await offline.ReadAsync(view, 1, new Dictionary<int, long> { [0] = 1 }, labeledOnly: true);
            rows.Should().ContainSingle().Which.Values.Should().Equal(1.5, -2);
        }

        // The server's view of such a connection: encrypted, with the client certificate of the application's role.
        await using var source = NpgsqlDataSource.Create(options.PostgresConnectionString());
        await using var command = source.CreateCommand("SELECT ssl, client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
        await using var reader = await command.ExecuteReaderAsync();
        (await reader.ReadAsync()).Should().BeTrue();
        reader.GetBoolean(0).Should().BeTrue();
        reader.GetString(1).Should().Be($"/CN={postgres.User}");
    }

    [Fact]
    public void A_wrong_password_is_refused_and_the_error_does_not_show_it()
    {
        const string wrong = "not-the-pg-password-4410";

        var open = () => new PostgresRegistryStore(Options(wrong).PostgresConnectionString());

        var error = open.Should().Throw<PostgresException>().Which;
        error.SqlState.Should().Be(PostgresErrorCodes.InvalidPassword);
        error.ToString().Should().NotContain(wrong).And.NotContain(postgres.Password);
    }

    [Fact]
    public void A_client_that_does_not_trust_the_servers_ca_does_not_connect()
    {
        var open = () => new PostgresOfflineStore(Options(postgres.Password, rootCertificate: postgres.Stranger.CertificateFile).PostgresConnectionString());

        var error = open.Should().Throw<NpgsqlException>().Which;
        error.Should().NotBeOfType<PostgresException>("the client gives up during the handshake, before the server ever sees the password");
        error.InnerException.Should().BeOfType<System.Security.Authentication.AuthenticationException>();
        error.ToString().Should().NotContain(postgres.Password);
    }

    [Fact]
    public void Without_its_client_certificate_the_application_role_is_refused()
    {
        var open = () => new PostgresRegistryStore(Options(postgres.Password, clientCertificate: false).PostgresConnectionString());

        open.Should().Throw<PostgresException>().Which.SqlState.Should().Be(PostgresErrorCodes.InvalidAuthorizationSpecification);
    }

    [Fact]
    public void A_connection_without_tls_finds_no_entry_in_pg_hba_and_is_refused()
    {
        var plain = new NpgsqlConnectionStringBuilder(Options(postgres.Password).PostgresConnectionString()) { SslMode = SslMode.Disable }.ConnectionString;

        var open = () => new PostgresRegistryStore(plain);

        var error = open.Should().Throw<PostgresException>().Which;
        error.SqlState.Should().Be(PostgresErrorCodes.InvalidAuthorizationSpecification);
        error.MessageText.Should().Contain("no encryption");
    }
}
