using Microsoft.IdentityModel.Tokens;

namespace Cascade.Hosting.Security;

/// <summary>
/// The identity provider's signing keys, from a JWKS document on disk (reloaded when it changes) or at a URL
/// (fetched at first use and again, at most every 30 seconds, when a token names a key it has not seen: providers
/// rotate keys by publishing the new one first).
/// </summary>
public sealed class JsonWebKeys(JwtOptions options, HttpClient? http = null)
{
    private static readonly TimeSpan RefetchAtMostEvery = TimeSpan.FromSeconds(30);
    private readonly Lock gate = new();
    private IReadOnlyList<SecurityKey> keys = [];
    private DateTime fileVersion = DateTime.MinValue;
    private DateTime lastFetch = DateTime.MinValue;

    /// <summary>The keys that may have signed a token with key id <paramref name="kid"/> (every key when it names none).</summary>
    public IEnumerable<SecurityKey> Resolve(string? kid)
    {
        var current = Refresh(kid);
        return string.IsNullOrEmpty(kid) ? current : current.Where(k => k.KeyId == kid);
    }

    private IReadOnlyList<SecurityKey> Refresh(string? kid)
    {
        lock (gate)
        {
            if (!string.IsNullOrWhiteSpace(options.JwksFile))
            {
                var written = File.GetLastWriteTimeUtc(options.JwksFile);
                if (written != fileVersion)
                {
                    keys = Parse(File.ReadAllText(options.JwksFile));
                    fileVersion = written;
                }
            }
            else if (!string.IsNullOrWhiteSpace(options.JwksUrl))
            {
                var unknown = keys.Count == 0 || (!string.IsNullOrEmpty(kid) && keys.All(k => k.KeyId != kid));
                if (unknown && DateTime.UtcNow - lastFetch >= RefetchAtMostEvery)
                {
                    lastFetch = DateTime.UtcNow;
                    keys = Parse(Fetch());
                }
            }
            return keys;
        }
    }

    private string Fetch()
    {
        var client = http ?? new HttpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        // The token resolver is synchronous; the fetch is rare (first use, key rotation) and bounded by the timeout.
        return client.GetStringAsync(options.JwksUrl, timeout.Token).GetAwaiter().GetResult();
    }

    private static IReadOnlyList<SecurityKey> Parse(string json) => new JsonWebKeySet(json).GetSigningKeys().ToArray();
}
