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

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
