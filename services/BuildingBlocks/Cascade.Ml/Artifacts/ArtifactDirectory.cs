using System.Text.Json;
using Cascade.Ml.Signing;

namespace Cascade.Ml.Artifacts;

/// <summary>Writes an artifact directory all at once: its files, the manifest that hashes them, and the signature of the manifest.</summary>
internal static class ArtifactDirectory
{
    /// <summary>
    /// Writes <paramref name="files"/> and the manifest <paramref name="manifestFor"/> makes from their SHA-256s into
    /// <paramref name="directory"/> (created; must be empty or absent), with the manifest signed by <paramref name="signer"/>
    /// (<c>manifest.sig</c>; null: unsigned); returns the manifest.
    /// </summary>
    /// <exception cref="ArgumentException">The directory exists and is not empty.</exception>
    public static ModelManifest Write(string directory, IReadOnlyDictionary<string, byte[]> files, Func<IReadOnlyDictionary<string, string>, ModelManifest> manifestFor, SigningKey? signer = null)
    {
        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
        {
            throw new ArgumentException($"Output directory '{directory}' is not empty; choose a new directory for the artifact.");
        }
        var manifest = manifestFor(files.ToDictionary(f => f.Key, f => ArtifactFiles.Sha256(f.Value)));
        // Write into a sibling temporary directory, then rename: a failure never leaves half an artifact.
        var full = Path.GetFullPath(directory);
        var staging = full.TrimEnd(Path.DirectorySeparatorChar) + ".partial-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(staging);
        try
        {
            foreach (var (name, content) in files)
            {
                File.WriteAllBytes(Path.Combine(staging, name), content);
            }
            // The signature covers these exact bytes: they are written once and never re-serialized.
            var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, ArtifactFiles.Json);
            File.WriteAllBytes(Path.Combine(staging, ArtifactFiles.Manifest), manifestBytes);
            if (signer is not null)
            {
                File.WriteAllBytes(Path.Combine(staging, ArtifactFiles.Signature), ManifestSigning.Serialize(ManifestSigning.Sign(manifestBytes, signer)));
            }
            if (Directory.Exists(full))
            {
                Directory.Delete(full);
            }
            Directory.Move(staging, full);
            return manifest;
        }
        catch
        {
            Directory.Delete(staging, recursive: true);
            throw;
        }
    }
}
