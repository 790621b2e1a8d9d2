using System.Security.Cryptography;

namespace Cascade.Storage.Artifacts;

/// <summary>Artifacts as files under a local directory, laid out as <c>sha256/ab/abcdef…</c> (git-style fan-out).</summary>
/// <remarks>
/// A put streams to a temporary file while hashing, then renames it into place, so readers never see
/// a partial artifact and a crash mid-write leaves only a temporary file behind.
/// </remarks>
public sealed class LocalArtifactStore : IArtifactStore
{
    private readonly string _root;

    public LocalArtifactStore(string rootDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootDirectory);
        _root = Path.GetFullPath(rootDirectory);
        Directory.CreateDirectory(Path.Combine(_root, "sha256"));
        Directory.CreateDirectory(Path.Combine(_root, "tmp"));
    }

    public async Task<ArtifactRef> PutAsync(Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var temporary = Path.Combine(_root, "tmp", Guid.NewGuid().ToString("N"));
        string sha256;
        long size;
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
                size = file.Length;
                sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            }

            var destination = PathOf(sha256);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            if (!File.Exists(destination))
            {
                File.Move(temporary, destination, overwrite: true);
            }
            return new ArtifactRef(sha256, new Uri(destination).AbsoluteUri, size);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    public async Task<byte[]> GetAsync(string sha256, CancellationToken cancellationToken = default)
    {
        var path = PathOf(sha256);
        if (!File.Exists(path))
        {
            throw new ArtifactNotFoundException(sha256);
        }
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!string.Equals(actual, sha256, StringComparison.Ordinal))
        {
            throw new ArtifactCorruptedException(sha256, actual);
        }
        return bytes;
    }

    public Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken = default) =>
        Task.FromResult(File.Exists(PathOf(sha256)));

    public Task DeleteAsync(string sha256, CancellationToken cancellationToken = default)
    {
        var path = PathOf(sha256);
        try
        {
            File.Delete(path); // no error for a missing file
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was ever stored under this fan-out prefix: nothing to delete either.
        }
        return Task.CompletedTask;
    }

    private string PathOf(string sha256)
    {
        if (sha256 is not { Length: 64 } || !sha256.All(Uri.IsHexDigit) || sha256.Any(char.IsUpper))
        {
            throw new ArgumentException($"'{sha256}' is not a lower-case hex SHA-256 (64 characters).", nameof(sha256));
        }
        return Path.Combine(_root, "sha256", sha256[..2], sha256);
    }
}
