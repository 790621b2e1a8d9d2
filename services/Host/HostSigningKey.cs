using Cascade.Ml.Signing;

namespace Cascade.Host;

/// <summary>
/// The all-in-one host's model-signing key: <c>{data}/signing/model-signing.key</c>, created (mode 0600, in a 0700
/// folder) on the first start and reused on every later one, so versions trained before a restart are still trusted
/// after it. Its training worker signs with it and its Serving trusts its public half, written beside it as
/// <c>model-signing.pub</c> (the file to give another deployment that should trust these models).
/// </summary>
public static class HostSigningKey
{
    public static string KeyFile(string dataDirectory) => Path.Combine(dataDirectory, "signing", "model-signing.key");

    public static string PublicKeyFile(string dataDirectory) => Path.Combine(dataDirectory, "signing", "model-signing.pub");

    /// <summary>
    /// Completes the host's signing options: without a configured <see cref="ModelSigningOptions.PrivateKeyFile"/>, the
    /// host's own key (created if absent); and Serving trusts the public half of whichever key signs, beside the keys
    /// configured in <see cref="ModelSigningOptions.TrustedKeys"/> (an older key, while rotating).
    /// </summary>
    public static void Apply(ModelSigningOptions options, string dataDirectory)
    {
        if (string.IsNullOrWhiteSpace(options.PrivateKeyFile))
        {
            options.PrivateKeyFile = EnsureCreated(dataDirectory);
        }
        SigningKey key;
        try
        {
            key = SigningKey.Load(options.PrivateKeyFile);
        }
        catch (SigningKeyException)
        {
            return; // the host's validation reports it, naming the setting
        }
        using (key)
        {
            SigningKeyFiles.WritePublicKey(key, PublicKeyFile(dataDirectory));
            options.Trust(Path.GetFullPath(PublicKeyFile(dataDirectory)));
        }
    }

    /// <summary>The path of the host's key, creating the key first if there is none yet.</summary>
    public static string EnsureCreated(string dataDirectory) => SigningKeyFiles.EnsureCreated(KeyFile(dataDirectory));
}
