using System.Security.Cryptography;
using Cascade.Storage.Artifacts;

namespace Cascade.Storage.Tests;

public sealed class LocalArtifactStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-artifacts-").FullName;

    [Fact]
    public async Task Put_addresses_content_by_its_sha256_and_get_returns_the_same_bytes()
    {
        var store = new LocalArtifactStore(_root);
        var content = RandomNumberGenerator.GetBytes(200_000);
        var reference = await store.PutAsync(new MemoryStream(content));
        reference.Sha256.Should().Be(Convert.ToHexStringLower(SHA256.HashData(content)));
        reference.SizeBytes.Should().Be(content.Length);
        (await store.GetAsync(reference.Sha256)).Should().Equal(content);
        (await store.ExistsAsync(reference.Sha256)).Should().BeTrue();
    }

    [Fact]
    public async Task Storing_the_same_bytes_twice_returns_the_same_address()
    {
        var store = new LocalArtifactStore(_root);
        var first = await store.PutAsync(new MemoryStream([1, 2, 3]));
        var second = await store.PutAsync(new MemoryStream([1, 2, 3]));
        second.Should().Be(first);
        Directory.EnumerateFiles(Path.Combine(_root, "tmp")).Should().BeEmpty("temporary files are cleaned up");
    }

    [Fact]
    public async Task An_altered_artifact_is_refused()
    {
        var store = new LocalArtifactStore(_root);
        var reference = await store.PutAsync(new MemoryStream([1, 2, 3, 4]));
        var path = new Uri(reference.Uri).LocalPath;
        await File.WriteAllBytesAsync(path, [1, 2, 3, 5]);
        var act = () => store.GetAsync(reference.Sha256);
        await act.Should().ThrowAsync<ArtifactCorruptedException>();
    }

    [Fact]
    public async Task Unknown_and_malformed_hashes_get_clear_errors()
    {
        var store = new LocalArtifactStore(_root);
        var unknown = () => store.GetAsync(new string('a', 64));
        await unknown.Should().ThrowAsync<ArtifactNotFoundException>();
        var malformed = () => store.GetAsync("../../etc/passwd");
        await malformed.Should().ThrowAsync<ArgumentException>().WithMessage("*not a lower-case hex SHA-256*");
    }

    [Fact]
    public async Task Delete_removes_only_that_artifact_and_deleting_a_missing_one_is_fine()
    {
        var store = new LocalArtifactStore(_root);
        var gone = await store.PutAsync(new MemoryStream([1, 2, 3]));
        var kept = await store.PutAsync(new MemoryStream([4, 5, 6]));

        await store.DeleteAsync(gone.Sha256);
        await store.DeleteAsync(gone.Sha256);
        await store.DeleteAsync(new string('b', 64));

        (await store.ExistsAsync(gone.Sha256)).Should().BeFalse();
        await FluentActions.Awaiting(() => store.GetAsync(gone.Sha256)).Should().ThrowAsync<ArtifactNotFoundException>();
        (await store.GetAsync(kept.Sha256)).Should().Equal(4, 5, 6);
        (await store.PutAsync(new MemoryStream([1, 2, 3]))).Should().Be(gone, "the same bytes can be stored again after a delete");
        var malformed = () => store.DeleteAsync("../../etc/passwd");
        await malformed.Should().ThrowAsync<ArgumentException>();
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
