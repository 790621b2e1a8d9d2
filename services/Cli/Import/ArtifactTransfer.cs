using System.Security.Cryptography;
using Cascade.Contracts.Registry.V1;
using Google.Protobuf;
using Grpc.Core;

namespace Cascade.Cli.Import;

/// <summary>Artifact archives to and from a host's Registry: <c>UploadArtifact</c> (client streaming) and <c>DownloadArtifact</c>, in 1 MiB chunks.</summary>
internal static class ArtifactTransfer
{
    private const int ChunkSize = 1024 * 1024;

    /// <summary>Uploads an archive; the registry stores it content-addressed once all of it hashes to its SHA-256.</summary>
    public static async Task<UploadArtifactResponse> UploadAsync(Contracts.Registry.V1.Registry.RegistryClient registry, byte[] archive, CallOptions options)
    {
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(archive));
        using var call = registry.UploadArtifact(options);
        try
        {
            for (var offset = 0; offset < archive.Length; offset += ChunkSize)
            {
                var chunk = new ArtifactUploadChunk { Data = ByteString.CopyFrom(archive, offset, Math.Min(ChunkSize, archive.Length - offset)), Offset = offset };
                if (offset == 0)
                {
                    chunk.Sha256 = sha256;
                    chunk.TotalSize = archive.Length;
                }
                await call.RequestStream.WriteAsync(chunk);
            }
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException)
        {
            // The registry refused (too large, bad hash) and ended the call: its status comes with the response below.
        }
        return await call.ResponseAsync;
    }

    /// <summary>Downloads an archive and checks it hashes to <paramref name="sha256"/>.</summary>
    public static async Task<byte[]> DownloadAsync(Contracts.Registry.V1.Registry.RegistryClient registry, string sha256, CallOptions options)
    {
        using var call = registry.DownloadArtifact(new DownloadArtifactRequest { Sha256 = sha256 }, options);
        using var archive = new MemoryStream();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(options.CancellationToken))
        {
            chunk.Data.WriteTo(archive);
        }
        var bytes = archive.ToArray();
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return actual == sha256 ? bytes : throw new InvalidDataException($"The downloaded artifact hashes to {actual}, not {sha256}.");
    }
}
