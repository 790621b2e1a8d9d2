using System.Security.Authentication;
using System.Security.Cryptography;
using Cascade.Storage.S3;

namespace Cascade.Infrastructure.Tests.Tls;

/// <summary>
/// The S3 artifact store over https (<c>Cascade__Infrastructure__S3__ServiceUrl=https://…</c>) with a private CA
/// (<c>…__CaFile</c>) and its keys (<c>…__AccessKey</c>, <c>…__SecretKey</c>), against an s3rver that serves https only.
/// </summary>
public sealed class S3HttpsTests(HttpsS3Server s3) : IClassFixture<HttpsS3Server>
{
    private S3ArtifactStoreOptions Options(string? caFile, string? secretKey = null) => new()
    {
        ServiceUrl = s3.ServiceUrl,
        Bucket = s3.Bucket,
        Prefix = Servers.Unique("tls"),
        AccessKey = s3.AccessKey,
        SecretKey = secretKey ?? s3.SecretKey,
        CaFile = caFile ?? string.Empty,
    };

    [Fact]
    public async Task An_artifact_is_stored_and_read_back_over_https_with_the_private_ca()
    {
        using var store = new S3ArtifactStore(Options(s3.Ca.CertificateFile));
        var bytes = RandomNumberGenerator.GetBytes(50_000);

        var stored = await store.PutAsync(new MemoryStream(bytes));

        (await store.ExistsAsync(stored.Sha256)).Should().BeTrue();
        (await store.GetAsync(stored.Sha256)).Should().Equal(bytes);
    }

    [Fact]
    public async Task A_store_without_the_ca_refuses_the_servers_certificate()
    {
        using var store = new S3ArtifactStore(Options(caFile: null));

        var put = () => store.PutAsync(new MemoryStream([1, 2, 3]));

        (await put.Should().ThrowAsync<Exception>()).Which.Should().Match<Exception>(e => IsHandshakeFailure(e), "the system's roots do not know the test's CA");
    }

    [Fact]
    public async Task A_store_that_trusts_another_ca_is_refused_even_beside_one_that_trusts_this_one()
    {
        // One process may hold stores for two object stores with different CAs: each keeps its own trust.
        using var trusting = new S3ArtifactStore(Options(s3.Ca.CertificateFile));
        (await trusting.ExistsAsync(new string('0', 64))).Should().BeFalse();
        using var stranger = new S3ArtifactStore(Options(s3.Stranger.CertificateFile));

        var exists = () => stranger.ExistsAsync(new string('0', 64));

        (await exists.Should().ThrowAsync<Exception>()).Which.Should().Match<Exception>(e => IsHandshakeFailure(e), "the server's certificate does not chain to the stranger CA");
        (await trusting.ExistsAsync(new string('0', 64))).Should().BeFalse("the first store still trusts its CA");
    }

    [Fact]
    public async Task An_unknown_access_key_is_refused_and_the_error_does_not_show_the_secret_key()
    {
        // s3rver checks the access key id but not a SigV4 signature, so a wrong secret key cannot be shown refused here.
        const string secret = "an-s3-secret-key-5a1e";
        var options = Options(s3.Ca.CertificateFile, secretKey: secret);
        options.AccessKey = "NOT-AN-ACCESS-KEY";
        using var store = new S3ArtifactStore(options);

        var get = () => store.GetAsync(new string('0', 64));

        var error = (await get.Should().ThrowAsync<Amazon.S3.AmazonS3Exception>()).Which;
        error.ErrorCode.Should().Be("InvalidAccessKeyId");
        error.ToString().Should().NotContain(secret);
    }

    private static bool IsHandshakeFailure(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is AuthenticationException) return true;
        }
        return false;
    }
}
