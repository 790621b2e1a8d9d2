using Cascade.Storage.OnlineStore;
using Cascade.Storage.Redis;

namespace Cascade.Infrastructure.Tests.Tls;

/// <summary>The Redis online store over TLS with a client certificate and a password, from settings.</summary>
public sealed class RedisTlsTests(TlsRedisServer redis) : IClassFixture<TlsRedisServer>
{
    private RedisOnlineStoreOptions Options(string password, bool withCertificate = true) => new()
    {
        // No credentials in the string: they come from settings of their own (a Kubernetes Secret).
        Configuration = $"127.0.0.1:{redis.Port},abortConnect=false,connectTimeout=5000",
        Password = password,
        Ssl = true,
        CaFile = redis.Ca.CertificateFile,
        ClientCertificateFile = withCertificate ? redis.Client.CertificateFile : string.Empty,
        ClientKeyFile = withCertificate ? redis.Client.KeyFile : string.Empty,
        KeyPrefix = Servers.Unique("tls"),
    };

    [Fact]
    public async Task Vectors_are_written_and_read_over_tls_with_the_password()
    {
        using var store = new RedisOnlineStore(Options(redis.Password));
        var vector = new FeatureVector("e1", [1, 2, 3], DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow);

        await store.WriteBatchAsync("view", [vector]);

        (await store.ReadAsync("view", "e1"))!.Values.Should().Equal(1, 2, 3);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_and_the_error_does_not_show_it()
    {
        using var store = new RedisOnlineStore(Options("not-the-password-19ab"));

        var read = () => store.ReadAsync("view", "e1").AsTask();

        var error = (await read.Should().ThrowAsync<OnlineStoreUnavailableException>()).Which;
        error.ToString().Should().NotContain("not-the-password-19ab").And.NotContain(redis.Password);
    }

    [Fact]
    public async Task Without_a_client_certificate_the_server_refuses_the_connection()
    {
        using var store = new RedisOnlineStore(Options(redis.Password, withCertificate: false));

        var read = () => store.ReadAsync("view", "e1").AsTask();

        await read.Should().ThrowAsync<OnlineStoreUnavailableException>();
    }
}
