using StackExchange.Redis;

namespace Cascade.Storage.Redis;

/// <summary>The StackExchange.Redis configuration of <see cref="RedisOnlineStoreOptions"/>: its string, then credentials and TLS.</summary>
public static class RedisConnection
{
    /// <summary>
    /// The connection's configuration. Never log it: <see cref="ConfigurationOptions.ToString()"/> includes the password.
    /// </summary>
    public static ConfigurationOptions Configure(RedisOnlineStoreOptions options)
    {
        var configuration = ConfigurationOptions.Parse(options.Configuration);
        if (!string.IsNullOrEmpty(options.User)) configuration.User = options.User;
        if (!string.IsNullOrEmpty(options.Password)) configuration.Password = options.Password;
        if (options.Ssl) configuration.Ssl = true;
        // Trusts exactly this CA for the server's chain (instead of the system's roots); the host name is still checked.
        if (!string.IsNullOrEmpty(options.CaFile)) configuration.TrustIssuer(options.CaFile);
        if (!string.IsNullOrEmpty(options.ClientCertificateFile)) configuration.SetUserPemCertificate(options.ClientCertificateFile, options.ClientKeyFile);
        return configuration;
    }

    /// <summary>Settings that contradict each other or name files that cannot be read, each by its key under <paramref name="section"/>.</summary>
    public static IEnumerable<string> Errors(RedisOnlineStoreOptions options, string section)
    {
        if (string.IsNullOrEmpty(options.ClientCertificateFile) != string.IsNullOrEmpty(options.ClientKeyFile))
        {
            yield return $"{section}:ClientCertificateFile and {section}:ClientKeyFile go together: set both or neither.";
        }
        foreach (var (setting, file) in new[] { ("CaFile", options.CaFile), ("ClientCertificateFile", options.ClientCertificateFile), ("ClientKeyFile", options.ClientKeyFile) })
        {
            if (string.IsNullOrEmpty(file)) continue;
            if (!File.Exists(file)) yield return $"{section}:{setting} '{file}' does not exist.";
        }
        // A zero or negative TTL would drop every vector as it is written.
        foreach (var (view, ttl) in options.TimeToLive)
        {
            if (ttl <= TimeSpan.Zero) yield return $"{section}:TimeToLive:{view} is {ttl}: a time to live must be positive (leave the view out to keep its vectors).";
        }
        if (options.DefaultTimeToLive <= TimeSpan.Zero) yield return $"{section}:DefaultTimeToLive is {options.DefaultTimeToLive}: a time to live must be positive (leave it out to keep vectors).";
        string? invalid = null;
        try
        {
            ConfigurationOptions.Parse(options.Configuration);
        }
        catch (ArgumentException ex)
        {
            invalid = ex.Message;
        }
        if (invalid is not null) yield return $"{section}:Configuration is not a StackExchange.Redis configuration string: {invalid}";
    }
}
