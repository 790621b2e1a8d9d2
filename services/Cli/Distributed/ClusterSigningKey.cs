using Cascade.Ml.Signing;

namespace Cascade.Cli.Distributed;

/// <summary>
/// The model-signing key of the local distributed deployment, made before its processes start: every private key that
/// <c>tye.yaml</c> gives a process (<c>Cascade__Signing__PrivateKeyFile</c>, the training workers) is created once if
/// absent, and its public half is written into each directory a process is told to trust
/// (<c>Cascade__Signing__TrustedKeys</c>, Serving). Relative paths are the repository root's, as for the processes.
/// A real cluster is given its key instead (deploy/: a Secret for the workers, a ConfigMap of public keys for Serving).
/// </summary>
internal static class ClusterSigningKey
{
    private const string PrivateKeyFile = "Cascade__Signing__PrivateKeyFile";
    private const string TrustedKeys = "Cascade__Signing__TrustedKeys";

    /// <summary>Creates what is missing; returns the ids of the keys the processes sign with.</summary>
    public static IReadOnlyList<string> Ensure(string repositoryRoot, IReadOnlyList<ServiceSpec> services, IReadOnlyDictionary<string, string>? overrides = null)
    {
        IEnumerable<string> Settings(string name) =>
            services.Select(s => overrides?.GetValueOrDefault(name) ?? s.Environment.GetValueOrDefault(name)).OfType<string>().Where(v => !string.IsNullOrWhiteSpace(v));
        var keyFiles = Settings(PrivateKeyFile).Select(p => Path.GetFullPath(p, repositoryRoot)).Distinct(StringComparer.Ordinal).ToArray();
        // Only directories are filled: a trusted file that is missing is a mistake Serving reports by name at start.
        var trustedDirectories = Settings(TrustedKeys).SelectMany(v => v.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(p => Path.GetFullPath(p, repositoryRoot)).Where(p => !File.Exists(p) && !Path.HasExtension(p)).Distinct(StringComparer.Ordinal).ToArray();
        var ids = new List<string>();
        foreach (var keyFile in keyFiles)
        {
            using var key = SigningKey.Load(SigningKeyFiles.EnsureCreated(keyFile));
            foreach (var directory in trustedDirectories)
            {
                SigningKeyFiles.WritePublicKey(key, Path.Combine(directory, Path.GetFileNameWithoutExtension(keyFile) + ".pub"));
            }
            ids.Add(key.KeyId);
        }
        return ids;
    }
}
