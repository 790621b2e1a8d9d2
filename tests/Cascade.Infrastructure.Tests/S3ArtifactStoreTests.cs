using System.Security.Cryptography;
using Cascade.Storage.Artifacts;
using Cascade.Storage.S3;

namespace Cascade.Infrastructure.Tests;

/// <summary>The S3 artifact store against the local s3rver: content addressing, multipart uploads, hash checks on read.</summary>
public sealed class S3ArtifactStoreTests : IDisposable
{
    private readonly string _prefix = Servers.Unique("test");
    private readonly S3ArtifactStore _store;

    public S3ArtifactStoreTests()
    {
        _store = new S3ArtifactStore(new S3ArtifactStoreOptions { ServiceUrl = Servers.S3, Prefix = _prefix });
    }

    [Fact]
    public async Task A_small_artifact_is_addressed_by_its_hash_stored_once_and_read_back_verified()
    {
        var bytes = RandomNumberGenerator.GetBytes(100_000);

        var first = await _store.PutAsync(new MemoryStream(bytes));
        var again = await _store.PutAsync(new MemoryStream(bytes));

        first.Sha256.Should().Be(Convert.ToHexStringLower(SHA256.HashData(bytes)));
        again.Should().Be(first);
        first.Uri.Should().Be($"s3://cascade-artifacts/{_prefix}/{first.Sha256[..2]}/{first.Sha256}");
        (await _store.ExistsAsync(first.Sha256)).Should().BeTrue();
        (await _store.GetAsync(first.Sha256)).Should().Equal(bytes);
    }

    [Fact]
    public async Task A_large_artifact_goes_up_in_parts_and_comes_back_byte_for_byte()
    {
        var bytes = RandomNumberGenerator.GetBytes(19 * 1024 * 1024 + 123); // three parts of 8 MiB, the last short

        var stored = await _store.PutAsync(new MemoryStream(bytes));

        stored.SizeBytes.Should().Be(bytes.Length);
        (await _store.GetAsync(stored.Sha256)).Should().Equal(bytes);
    }

    [Fact]
    public async Task A_missing_artifact_is_not_found_and_an_object_whose_bytes_changed_is_refused()
    {
        var missing = new string('0', 64);
        (await _store.ExistsAsync(missing)).Should().BeFalse();
        await FluentActions.Awaiting(() => _store.GetAsync(missing)).Should().ThrowAsync<ArtifactNotFoundException>();

        // Someone overwrites the object behind the store's back (same key, other bytes).
        var original = await _store.PutAsync(new MemoryStream([1, 2, 3]));
        using var raw = new Amazon.S3.AmazonS3Client(new Amazon.Runtime.BasicAWSCredentials("S3RVER", "S3RVER"),
            new Amazon.S3.AmazonS3Config { ServiceURL = Servers.S3, ForcePathStyle = true, RequestChecksumCalculation = Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED, ResponseChecksumValidation = Amazon.Runtime.ResponseChecksumValidation.WHEN_REQUIRED });
        await raw.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = "cascade-artifacts", Key = $"{_prefix}/{original.Sha256[..2]}/{original.Sha256}", InputStream = new MemoryStream([9, 9, 9]), UseChunkEncoding = false });

        await FluentActions.Awaiting(() => _store.GetAsync(original.Sha256)).Should().ThrowAsync<ArtifactCorruptedException>();
    }

    public void Dispose() => _store.Dispose();
}
