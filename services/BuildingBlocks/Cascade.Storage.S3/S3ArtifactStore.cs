using System.Net;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Cascade.Storage.Artifacts;

namespace Cascade.Storage.S3;

/// <summary>
/// <see cref="IArtifactStore"/> on S3: content-addressed keys (<c>sha256/ab/abcdef…</c>), multipart upload for large
/// artifacts, and the SHA-256 checked on every read, so a damaged or substituted object is never served.
/// </summary>
/// <remarks>
/// Settings that s3rver (and other S3-compatible stores) need: path-style addressing, checksums only when required,
/// and no chunked payload signing on uploads (s3rver would store the chunk framing as content).
/// </remarks>
public sealed class S3ArtifactStore : IArtifactStore, IDisposable
{
    private readonly S3ArtifactStoreOptions _options;
    private readonly AmazonS3Client _s3;

    public S3ArtifactStore(S3ArtifactStoreOptions options)
    {
        _options = options;
        var config = new AmazonS3Config
        {
            ForcePathStyle = true,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            AuthenticationRegion = options.Region,
        };
        if (!string.IsNullOrEmpty(options.CaFile)) config.HttpClientFactory = new S3CaTrust(options.CaFile);
        if (!string.IsNullOrEmpty(options.ServiceUrl)) config.ServiceURL = options.ServiceUrl;
        else config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        _s3 = new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }

    private string Key(string sha256) => $"{_options.Prefix}/{sha256[..2]}/{sha256}";

    public async Task<ArtifactRef> PutAsync(Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        // The key is the hash, so the whole content is read (and hashed) before anything is uploaded.
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes.Span));
        var reference = new ArtifactRef(sha256, $"s3://{_options.Bucket}/{Key(sha256)}", bytes.Length);
        if (await ExistsAsync(sha256, cancellationToken)) return reference;
        if (bytes.Length <= _options.PartSizeBytes)
        {
            await _s3.PutObjectAsync(new PutObjectRequest
            {
                BucketName = _options.Bucket, Key = Key(sha256), InputStream = new MemoryStream(bytes.ToArray()), UseChunkEncoding = false, AutoCloseStream = true,
            }, cancellationToken);
        }
        else
        {
            await UploadInPartsAsync(Key(sha256), bytes, cancellationToken);
        }
        return reference;
    }

    private async Task UploadInPartsAsync(string key, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var upload = await _s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _options.Bucket, Key = key }, cancellationToken);
        try
        {
            var parts = new List<PartETag>();
            for (int offset = 0, number = 1; offset < bytes.Length; offset += _options.PartSizeBytes, number++)
            {
                var size = Math.Min(_options.PartSizeBytes, bytes.Length - offset);
                var part = await _s3.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = _options.Bucket, Key = key, UploadId = upload.UploadId, PartNumber = number, PartSize = size,
                    InputStream = new MemoryStream(bytes.Slice(offset, size).ToArray()), UseChunkEncoding = false,
                }, cancellationToken);
                parts.Add(new PartETag(number, part.ETag));
            }
            await _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = _options.Bucket, Key = key, UploadId = upload.UploadId, PartETags = parts }, cancellationToken);
        }
        catch
        {
            // Leave no half upload behind to be billed or found.
            await _s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _options.Bucket, Key = key, UploadId = upload.UploadId }, CancellationToken.None);
            throw;
        }
    }

    public async Task<byte[]> GetAsync(string sha256, CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await _s3.GetObjectAsync(_options.Bucket, Key(sha256), cancellationToken);
            using var copy = new MemoryStream();
            await response.ResponseStream.CopyToAsync(copy, cancellationToken);
            var bytes = copy.ToArray();
            var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (!string.Equals(actual, sha256, StringComparison.Ordinal))
            {
                throw new ArtifactCorruptedException(sha256, actual);
            }
            return bytes;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            throw new ArtifactNotFoundException(sha256);
        }
    }

    public async Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken = default)
    {
        try
        {
            await _s3.GetObjectMetadataAsync(_options.Bucket, Key(sha256), cancellationToken);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public async Task DeleteAsync(string sha256, CancellationToken cancellationToken = default)
    {
        // A delete is the one call where a malformed name must not reach the bucket.
        if (sha256 is not { Length: 64 } || !sha256.All(Uri.IsHexDigit) || sha256.Any(char.IsUpper))
        {
            throw new ArgumentException($"'{sha256}' is not a lower-case hex SHA-256 (64 characters).", nameof(sha256));
        }
        var key = Key(sha256);
        try
        {
            // S3 answers 204 for a key that does not exist: the delete is idempotent without a lookup first.
            await _s3.DeleteObjectAsync(_options.Bucket, key, cancellationToken);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode != "NoSuchBucket")
        {
            // Some S3-compatible stores answer 404 instead: the object is gone either way.
        }
    }

    public void Dispose() => _s3.Dispose();
}
