using System.Security.Cryptography;
using Cascade.Storage.Artifacts;
using Cascade.Storage.S3;

namespace Cascade.Infrastructure.Tests;

/// <summary>Deleting artifacts from the local s3rver, as the registry's retention collector does.</summary>
public sealed class S3ArtifactDeleteTests : IDisposable
{
    private readonly S3ArtifactStore _store = new(new S3ArtifactStoreOptions { ServiceUrl = Servers.S3, Prefix = Servers.Unique("delete") });

    [Fact]
    public async Task A_deleted_artifact_is_gone_and_the_others_stay()
    {
        var gone = await _store.PutAsync(new MemoryStream(RandomNumberGenerator.GetBytes(10_000)));
        var keptBytes = RandomNumberGenerator.GetBytes(10_000);
        var kept = await _store.PutAsync(new MemoryStream(keptBytes));

        await _store.DeleteAsync(gone.Sha256);

        (await _store.ExistsAsync(gone.Sha256)).Should().BeFalse();
        await FluentActions.Awaiting(() => _store.GetAsync(gone.Sha256)).Should().ThrowAsync<ArtifactNotFoundException>();
        (await _store.GetAsync(kept.Sha256)).Should().Equal(keptBytes);
    }

    [Fact]
    public async Task Deleting_twice_or_deleting_what_was_never_stored_succeeds()
    {
        var stored = await _store.PutAsync(new MemoryStream([1, 2, 3]));

        await _store.DeleteAsync(stored.Sha256);
        await _store.DeleteAsync(stored.Sha256);
        await _store.DeleteAsync(new string('c', 64));

        (await _store.ExistsAsync(stored.Sha256)).Should().BeFalse();
        (await _store.PutAsync(new MemoryStream([1, 2, 3]))).Should().Be(stored, "the same bytes can be stored again after a delete");
        (await _store.GetAsync(stored.Sha256)).Should().Equal(1, 2, 3);
    }

    [Fact]
    public async Task A_malformed_hash_never_reaches_the_bucket()
    {
        await FluentActions.Awaiting(() => _store.DeleteAsync("../other-prefix")).Should().ThrowAsync<ArgumentException>();
    }

    public void Dispose() => _store.Dispose();
}
