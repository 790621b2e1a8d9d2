using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cascade.Hosting.Security;

/// <summary>
/// API keys in one JSON file (<c>keys.json</c> in the data directory, mode 0600): for each key its name, role,
/// models, a random salt and HMAC-SHA256(salt, secret) — never the key itself. A key reads
/// <c>cascade_&lt;id&gt;_&lt;secret&gt;</c>: the id finds the entry without trying every hash, and the secret is 256 random
/// bits, so one salted hash is enough (stretching protects guessable passwords, not random keys) and costs a
/// microsecond per call. Hosts reload the file when it changes, so <c>keys create</c> and <c>keys revoke</c> take effect
/// on a running host within a second.
/// </summary>
public sealed class ApiKeyStore
{
    private const string Prefix = "cascade_";
    private static readonly TimeSpan RecheckEvery = TimeSpan.FromSeconds(1);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private readonly string path;
    private readonly Lock gate = new();
    private Dictionary<string, ApiKeyEntry> byId = new(StringComparer.Ordinal);
    private (DateTime Written, long Length) loadedVersion = (DateTime.MinValue, -1);
    private DateTime nextCheck = DateTime.MinValue;

    public ApiKeyStore(string path) => this.path = Path.GetFullPath(path);

    /// <summary>The keys file.</summary>
    public string FilePath => path;

    /// <summary>Creates a key; returns its entry and the key itself, which is shown once and stored nowhere.</summary>
    /// <exception cref="ArgumentException">The name is taken or not a simple name.</exception>
    public (ApiKeyEntry Entry, string Key) Create(string name, CascadeRole role, IReadOnlyList<string> models)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '@'))
        {
            throw new ArgumentException($"Key name '{name}' is not allowed: use 1–100 letters, digits, '-', '_', '.' or '@'.");
        }
        var file = ReadFile();
        if (file.Keys.Any(k => k.Name == name && k.RevokedAt is null))
        {
            throw new ArgumentException($"A key named '{name}' exists: revoke it first or choose another name.");
        }
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var salt = RandomNumberGenerator.GetBytes(16);
        var entry = new ApiKeyEntry
        {
            Id = id, Name = name, Role = CascadeRoles.Name(role), Models = models.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            Salt = Convert.ToBase64String(salt), Hash = Convert.ToBase64String(Hash(salt, secret)), CreatedAt = DateTimeOffset.UtcNow,
        };
        file.Keys.Add(entry);
        WriteFile(file);
        return (entry, $"{Prefix}{id}_{secret}");
    }

    /// <summary>Every key ever created (revoked ones too, with their revocation time), in creation order.</summary>
    public IReadOnlyList<ApiKeyEntry> List() => ReadFile().Keys;

    /// <summary>Revokes the live key named <paramref name="name"/>; false when there is none.</summary>
    public bool Revoke(string name)
    {
        var file = ReadFile();
        var entry = file.Keys.FirstOrDefault(k => k.Name == name && k.RevokedAt is null);
        if (entry is null) return false;
        entry.RevokedAt = DateTimeOffset.UtcNow;
        WriteFile(file);
        return true;
    }

    /// <summary>The live key <paramref name="key"/> is, or null when it is malformed, unknown, revoked or wrong.</summary>
    public ApiKeyEntry? Verify(string key)
    {
        if (!TryParse(key, out var id, out var secret)) return null;
        // An id not seen yet may belong to a key created a moment ago: look at the file again (a stat; it is re-read only if it changed).
        if (!Current(force: false).TryGetValue(id, out var entry) && !Current(force: true).TryGetValue(id, out entry)) return null;
        if (entry.RevokedAt is not null) return null;
        var expected = Convert.FromBase64String(entry.Hash);
        return CryptographicOperations.FixedTimeEquals(expected, Hash(Convert.FromBase64String(entry.Salt), secret)) ? entry : null;
    }

    /// <summary>Whether <paramref name="token"/> has the shape of a Cascade key (as opposed to a JWT).</summary>
    public static bool LooksLikeKey(string token) => token.StartsWith(Prefix, StringComparison.Ordinal);

    private static bool TryParse(string key, out string id, out string secret)
    {
        id = secret = string.Empty;
        if (!LooksLikeKey(key) || key.Length > 200) return false;
        var rest = key.AsSpan(Prefix.Length);
        var separator = rest.IndexOf('_');
        if (separator != 16) return false;
        id = rest[..separator].ToString();
        secret = rest[(separator + 1)..].ToString();
        return secret.Length > 0;
    }

    private static byte[] Hash(byte[] salt, string secret) => HMACSHA256.HashData(salt, Encoding.UTF8.GetBytes(secret));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private Dictionary<string, ApiKeyEntry> Current(bool force)
    {
        var now = DateTime.UtcNow;
        lock (gate)
        {
            if (now < nextCheck && !force) return byId;
            nextCheck = now + RecheckEvery;
            var info = new FileInfo(path);
            var version = info.Exists ? (info.LastWriteTimeUtc, info.Length) : (DateTime.MinValue, -1L);
            if (version != loadedVersion)
            {
                byId = ReadFile().Keys.ToDictionary(k => k.Id, StringComparer.Ordinal);
                loadedVersion = version;
            }
            return byId;
        }
    }

    private ApiKeyFile ReadFile()
    {
        if (!File.Exists(path)) return new ApiKeyFile();
        try
        {
            return JsonSerializer.Deserialize<ApiKeyFile>(File.ReadAllText(path), Json) ?? new ApiKeyFile();
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The keys file {path} is not valid JSON ({ex.Message}); restore it from a backup or remove it and create new keys.", ex);
        }
    }

    private void WriteFile(ApiKeyFile file)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Written beside and renamed over: a host reading the file never sees half of it.
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, file, Json);
        }
        File.Move(temporary, path, overwrite: true);
        lock (gate) nextCheck = DateTime.MinValue;
    }

    private sealed class ApiKeyFile
    {
        public int Version { get; set; } = 1;
        public List<ApiKeyEntry> Keys { get; set; } = [];
    }
}

/// <summary>One API key as stored: everything but the key.</summary>
public sealed class ApiKeyEntry
{
    public string Id { get; set; } = string.Empty;
    public string Name { get; set; } = string.Empty;
    public string Role { get; set; } = string.Empty;
    /// <summary>The models the key is limited to; empty: every model.</summary>
    public List<string> Models { get; set; } = [];
    public string Salt { get; set; } = string.Empty;
    public string Hash { get; set; } = string.Empty;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
