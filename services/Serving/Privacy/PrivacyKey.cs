using System.Security.Cryptography;

namespace Cascade.Serving.Privacy;

/// <summary>The key of the prediction log's keyed hash: the configured one, or one generated once and kept in the data directory.</summary>
public static class PrivacyKey
{
    /// <summary>The file that holds a generated key (base64), readable by its owner only.</summary>
    public const string FileName = "privacy.key";

    private const int GeneratedBytes = 32;

    /// <summary>The configured key, else the key in <paramref name="directory"/>, created there on first use.</summary>
    public static byte[] Load(PrivacyOptions options, string directory)
    {
        if (options.HashKey.Length > 0)
        {
            return TryDecode(options.HashKey) ?? throw new ArgumentException($"{PrivacyOptions.SectionName}:HashKey is not base64.");
        }
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        try
        {
            // CreateNew: two processes over one directory both end up with the key the first one wrote.
            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using var file = new FileStream(path, create);
            var key = RandomNumberGenerator.GetBytes(GeneratedBytes);
            using var writer = new StreamWriter(file);
            writer.Write(Convert.ToBase64String(key));
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            return TryDecode(File.ReadAllText(path)) is { Length: >= PrivacyOptions.MinKeyBytes } key
                ? key
                : throw new InvalidDataException($"{path} does not hold a base64 key of at least {PrivacyOptions.MinKeyBytes} bytes; delete it to generate a new one.");
        }
    }

    /// <summary>The bytes of a base64 key, or null when it is not base64.</summary>
    public static byte[]? TryDecode(string text)
    {
        try
        {
            return Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
