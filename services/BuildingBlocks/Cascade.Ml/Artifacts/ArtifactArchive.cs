using System.Formats.Tar;

namespace Cascade.Ml.Artifacts;

/// <summary>
/// Packs an artifact directory into one deterministic tar blob (sorted entries, fixed times and owners), so the same
/// artifact always has the same SHA-256 in a content-addressed store, and unpacks it again.
/// </summary>
public static class ArtifactArchive
{
    private static readonly DateTimeOffset FixedTime = DateTimeOffset.UnixEpoch;

    public static byte[] Pack(string directory)
    {
        using var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var path in Directory.GetFiles(directory).Order(StringComparer.Ordinal))
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, Path.GetFileName(path))
                {
                    ModificationTime = FixedTime,
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                    DataStream = new MemoryStream(File.ReadAllBytes(path)),
                };
                writer.WriteEntry(entry);
            }
        }
        return output.ToArray();
    }

    /// <summary>Unpacks into a new directory; only plain files at the top level are accepted.</summary>
    /// <exception cref="ArtifactException">The blob is not an artifact archive.</exception>
    public static void Unpack(byte[] archive, string directory)
    {
        Directory.CreateDirectory(directory);
        try
        {
            using var reader = new TarReader(new MemoryStream(archive));
            var names = new HashSet<string>(StringComparer.Ordinal);
            while (reader.GetNextEntry() is { } entry)
            {
                // An empty or "." name would be the directory itself, a NUL no file name at all (found by fuzzing).
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.Name is "" or "." || entry.Name.Contains('/') || entry.Name.Contains("..") || entry.Name.Contains('\0'))
                {
                    throw new ArtifactException($"Artifact archive entry '{entry.Name}' is not a plain top-level file.");
                }
                if (!names.Add(entry.Name))
                {
                    throw new ArtifactException($"Artifact archive entry '{entry.Name}' appears twice.");
                }
                entry.ExtractToFile(Path.Combine(directory, entry.Name), overwrite: false);
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or OverflowException or ArgumentOutOfRangeException or NotSupportedException)
        {
            // Found by fuzzing: System.Formats.Tar throws more than InvalidDataException for a malformed archive: a header
            // or an entry cut short (EndOfStreamException), a numeric field or a size too large (OverflowException,
            // ArgumentOutOfRangeException), an entry type it does not read (NotSupportedException: sparse files).
            throw new ArtifactException($"The blob is not an artifact archive: {ex.Message}");
        }
    }

    /// <summary>Reads one file of an archive without unpacking the rest (monitoring needs only the reference profile and manifest).</summary>
    /// <exception cref="ArtifactException">The blob is not an artifact archive, or lacks the file.</exception>
    public static byte[] ReadFile(byte[] archive, string name)
    {
        try
        {
            using var reader = new TarReader(new MemoryStream(archive));
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.Name == name && entry.DataStream is { } data)
                {
                    using var copy = new MemoryStream();
                    data.CopyTo(copy);
                    return copy.ToArray();
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or OverflowException or ArgumentOutOfRangeException or NotSupportedException)
        {
            throw new ArtifactException($"The blob is not an artifact archive: {ex.Message}");
        }
        throw new ArtifactException($"The artifact has no '{name}'.");
    }
}
