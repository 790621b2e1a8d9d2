namespace Cascade.Ml.Signing;

/// <summary>
/// Which key signs the artifacts a process builds and which keys Serving trusts, bound from section
/// <c>Cascade:Signing</c> (<c>Cascade__Signing__PrivateKeyFile</c>, <c>Cascade__Signing__TrustedKeys</c>,
/// <c>Cascade__Signing__RequireSignature</c>). The all-in-one host fills both from its own key
/// (<c>{data}/signing/model-signing.key</c>, created on first start); the distributed processes are given the files.
/// </summary>
public sealed class ModelSigningOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Cascade:Signing";

    /// <summary>
    /// The ECDSA P-256 private key (PEM, PKCS#8 <c>PRIVATE KEY</c> or SEC 1 <c>EC PRIVATE KEY</c>) that signs the manifest
    /// of every artifact this process builds: what a training worker, and <c>cascade models import</c>, need.
    /// </summary>
    /// <value>The default value is null: no key (a training worker then refuses to start while <see cref="RequireSignature"/> holds).</value>
    public string? PrivateKeyFile { get; set; }

    /// <summary>
    /// The public keys Serving trusts: PEM files of <c>PUBLIC KEY</c> blocks, or directories in which every file that does
    /// not start with a dot is one; several separated by <see cref="Path.PathSeparator"/> (<c>:</c> on Linux). Trusting
    /// the old key beside the new one is how a key is rotated.
    /// </summary>
    /// <value>The default value is null: no key (Serving then refuses to start while <see cref="RequireSignature"/> holds).</value>
    public string? TrustedKeys { get; set; }

    /// <summary>
    /// Whether every artifact must be signed: Serving refuses an unsigned one, and a training worker refuses to start
    /// without a key. False is for moving a deployment from unsigned artifacts: unsigned ones load (with a warning) and
    /// are built; an invalid signature or one by a key not trusted is refused all the same.
    /// </summary>
    /// <value>The default value is true.</value>
    public bool RequireSignature { get; set; } = true;

    /// <summary>The entries of <see cref="TrustedKeys"/>, in order.</summary>
    public IReadOnlyList<string> TrustedKeyPaths() =>
        (TrustedKeys ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Adds <paramref name="path"/> to <see cref="TrustedKeys"/> (once).</summary>
    public void Trust(string path)
    {
        if (TrustedKeyPaths().Contains(path, StringComparer.Ordinal)) return;
        TrustedKeys = string.IsNullOrWhiteSpace(TrustedKeys) ? path : TrustedKeys + Path.PathSeparator + path;
    }
}
