using System.Security.Cryptography;
using Cascade.Registry.Options;
using Cascade.Storage.Artifacts;

namespace Cascade.Registry.Domain;

/// <summary>
/// One artifact archive arriving in chunks: spooled to a temporary file (never held whole in memory), hashed as it
/// comes, and put in the content-addressed store only when it is complete and hashes to the SHA-256 the sender declared.
/// </summary>
public sealed class ArtifactUpload(IArtifactStore artifacts, ArtifactUploadOptions options) : IAsyncDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private FileStream? _spool;
    private string _sha256 = string.Empty;
    private long _declared;
    private long _received;

    /// <summary>Adds the next chunk; the first one declares the archive's SHA-256 and size.</summary>
    /// <exception cref="ArtifactTooLargeException">The archive is (or grows) larger than <see cref="ArtifactUploadOptions.MaxBytes"/>.</exception>
    /// <exception cref="ArgumentException">A chunk out of order, more bytes than declared, or a missing or changed SHA-256 or size.</exception>
    public async Task AppendAsync(ReadOnlyMemory<byte> data, long offset, long totalSize, string sha256, CancellationToken cancellationToken)
    {
        if (_spool is null)
        {
            Begin(totalSize, sha256);
        }
        else if ((sha256.Length > 0 && sha256 != _sha256) || (totalSize != 0 && totalSize != _declared))
        {
            throw new ArgumentException($"Chunk at offset {offset} declares another archive (sha256 {sha256}, {totalSize} bytes) than the first chunk ({_sha256}, {_declared} bytes).");
        }
        if (offset != _received)
        {
            throw new ArgumentException($"Chunk at offset {offset} does not follow the {_received} bytes received: send the chunks in order, without gaps.");
        }
        if (_received + data.Length > _declared)
        {
            throw new ArgumentException($"The upload sends more than the {_declared} bytes it declared.");
        }
        _hash.AppendData(data.Span);
        await _spool!.WriteAsync(data, cancellationToken);
        _received += data.Length;
    }

    /// <summary>Checks the archive is whole and hashes to the declared SHA-256, then stores it.</summary>
    /// <exception cref="ArgumentException">Nothing arrived, fewer bytes than declared, or another SHA-256.</exception>
    public async Task<ArtifactRef> CompleteAsync(CancellationToken cancellationToken)
    {
        if (_spool is null)
        {
            throw new ArgumentException("The upload sent no chunks: send the archive with its sha256 and total_size in the first chunk.");
        }
        if (_received != _declared)
        {
            throw new ArgumentException($"The upload ended after {_received} of the {_declared} bytes it declared.");
        }
        var actual = Convert.ToHexStringLower(_hash.GetHashAndReset());
        if (actual != _sha256)
        {
            throw new ArgumentException($"The uploaded bytes hash to {actual}, not to the declared sha256 {_sha256}: the archive was altered or cut on the way; nothing was stored.");
        }
        await _spool.FlushAsync(cancellationToken);
        _spool.Position = 0;
        var stored = await artifacts.PutAsync(_spool, cancellationToken);
        return stored.Sha256 == _sha256
            ? stored
            : throw new InvalidOperationException($"The artifact store addressed the upload as {stored.Sha256}, not {_sha256}.");
    }

    private void Begin(long totalSize, string sha256)
    {
        if (totalSize > options.MaxBytes)
        {
            throw new ArtifactTooLargeException($"The archive is {totalSize} bytes; this registry accepts at most {options.MaxBytes} (Cascade:Registry:Upload:MaxBytes).");
        }
        if (totalSize <= 0)
        {
            throw new ArgumentException($"The first chunk declares total_size {totalSize}; declare the archive's size in bytes.");
        }
        if (sha256.Length != 64 || !sha256.All(Uri.IsHexDigit) || sha256 != sha256.ToLowerInvariant())
        {
            throw new ArgumentException($"The first chunk's sha256 '{sha256}' is not 64 lower-case hex digits.");
        }
        _sha256 = sha256;
        _declared = totalSize;
        _spool = new FileStream(Path.Combine(Path.GetTempPath(), $"cascade-upload-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
    }

    public async ValueTask DisposeAsync()
    {
        _hash.Dispose();
        if (_spool is not null)
        {
            await _spool.DisposeAsync();
        }
    }
}

/// <summary>An upload is larger than the registry accepts (RESOURCE_EXHAUSTED).</summary>
public sealed class ArtifactTooLargeException(string message) : Exception(message);
