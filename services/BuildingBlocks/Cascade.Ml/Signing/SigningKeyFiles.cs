namespace Cascade.Ml.Signing;

/// <summary>Key files as deployments keep them: a private key made once and never replaced, its public half beside whoever must trust it.</summary>
public static class SigningKeyFiles
{
    /// <summary>
    /// Creates a new key at <paramref name="path"/> (mode 0600, its folder 0700 when created) unless one is there, and
    /// returns <paramref name="path"/>. Written aside and moved in, so a crash never leaves half a key where the next
    /// start would find it; if another process creates it meanwhile, that key is kept.
    /// </summary>
    public static string EnsureCreated(string path)
    {
        if (File.Exists(path)) return path;
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
        else Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var key = SigningKey.Create();
        var partial = $"{path}.{Guid.NewGuid():N}.partial";
        key.Save(partial);
        try
        {
            File.Move(partial, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(partial);
        }
        return path;
    }

    /// <summary>Writes the public half of <paramref name="key"/> to <paramref name="path"/> (PEM), unless the file already holds exactly that.</summary>
    public static void WritePublicKey(SigningKey key, string path)
    {
        if (File.Exists(path) && File.ReadAllText(path) == key.PublicKeyPem) return;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path + ".partial", key.PublicKeyPem);
        File.Move(path + ".partial", path, overwrite: true);
    }
}
