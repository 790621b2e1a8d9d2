using System.Security.Cryptography;

namespace Cascade.Ml.Signing;

/// <summary>The public keys whose signatures Serving accepts, by key id.</summary>
public sealed class TrustedKeys
{
    private readonly Dictionary<string, byte[]> _keys;

    private TrustedKeys(Dictionary<string, byte[]> keys) => _keys = keys;

    /// <summary>The ids of the trusted keys, sorted.</summary>
    public IReadOnlyList<string> Ids => _keys.Keys.Order(StringComparer.Ordinal).ToArray();

    public int Count => _keys.Count;

    /// <summary>Trusts exactly these public keys (SubjectPublicKeyInfo, DER).</summary>
    /// <exception cref="SigningKeyException">A key is not an ECDSA P-256 public key.</exception>
    public static TrustedKeys Of(params IEnumerable<byte[]> publicKeys)
    {
        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var spki in publicKeys)
        {
            Check(spki, "a trusted key");
            keys[KeyIds.Of(spki)] = spki;
        }
        return new TrustedKeys(keys);
    }

    /// <summary>
    /// Reads the keys <paramref name="paths"/> name: PEM files of one or more <c>PUBLIC KEY</c> blocks, or directories in
    /// which every file not starting with a dot is such a file (a mounted Kubernetes ConfigMap or Secret keeps its
    /// bookkeeping in dot-entries).
    /// </summary>
    /// <exception cref="SigningKeyException">A path does not exist, or a file holds no public key or one that is not ECDSA P-256.</exception>
    public static TrustedKeys Load(IEnumerable<string> paths)
    {
        var keys = new List<byte[]>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                foreach (var file in Directory.GetFiles(path).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal))
                {
                    keys.AddRange(Read(file));
                }
            }
            else if (File.Exists(path))
            {
                keys.AddRange(Read(path));
            }
            else
            {
                throw new SigningKeyException($"trusted key '{path}' does not exist (neither a file nor a directory).");
            }
        }
        return Of(keys);
    }

    /// <summary>The trusted public key with id <paramref name="keyId"/>, or null.</summary>
    internal byte[]? Find(string keyId) => _keys.GetValueOrDefault(keyId);

    private static IEnumerable<byte[]> Read(string file)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SigningKeyException($"cannot read trusted key '{file}': {ex.Message}");
        }
        var found = new List<byte[]>();
        var rest = text.AsMemory();
        while (PemEncoding.TryFind(rest.Span, out var fields))
        {
            var label = rest[fields.Label].ToString();
            if (label.EndsWith("PRIVATE KEY", StringComparison.Ordinal))
            {
                // Serving needs only public keys; a private key among them is a key that has leaked to the wrong place.
                throw new SigningKeyException($"'{file}' holds a private key; Serving is given public keys only (openssl pkey -in KEY -pubout).");
            }
            if (label == "PUBLIC KEY")
            {
                var spki = Convert.FromBase64String(rest[fields.Base64Data].ToString());
                Check(spki, file);
                found.Add(spki);
            }
            rest = rest[fields.Location.End..];
        }
        return found.Count > 0 ? found : throw new SigningKeyException($"'{file}' holds no PEM public key (-----BEGIN PUBLIC KEY-----).");
    }

    private static void Check(byte[] spki, string source)
    {
        using var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(spki, out _);
        }
        catch (CryptographicException ex)
        {
            throw new SigningKeyException($"'{source}' is not an ECDSA public key: {ex.Message}");
        }
        SigningKey.RequireP256(key, source);
    }
}
