using System.Security.Cryptography;
using System.Text.Json;

namespace Cascade.Ml.Artifacts;

/// <summary>File names of the artifact layout and the JSON settings they are written with.</summary>
public static class ArtifactFiles
{
    public const string Manifest = "manifest.json";
    /// <summary>The detached signature of <see cref="Manifest"/> (<see cref="Signing.ManifestSignature"/>); not hashed by the manifest it signs.</summary>
    public const string Signature = "manifest.sig";
    public const string ModelUbj = "model.ubj";
    public const string ModelJson = "model.json";
    public const string ReferenceProfile = "reference_profile.json";
    public const string GoldenSamples = "golden_samples.json";
    public const string ModelOnnx = "model.onnx";

    /// <summary>Every file the manifest of a trained model hashes.</summary>
    public static readonly IReadOnlyList<string> Hashed = [ModelUbj, ModelJson, ReferenceProfile, GoldenSamples];

    /// <summary>The artifact file keeping an imported XGBoost model as uploaded: <c>source.json</c> or <c>source.ubj</c>.</summary>
    public static string Source(string extension) => "source" + extension;

    /// <summary>The files a loader needs, by framework (the reference profile only when the manifest says there is one).</summary>
    internal static IEnumerable<string> Required(ModelManifest manifest)
    {
        IEnumerable<string> model = manifest.EffectiveFramework == ModelFrameworks.Onnx ? [ModelOnnx] : [ModelUbj, ModelJson];
        IEnumerable<string> profile = manifest.HasReferenceProfile ? [ReferenceProfile] : [];
        IEnumerable<string> source = manifest.Source is { } s ? [s.ArtifactFile] : [];
        return model.Concat(profile).Append(GoldenSamples).Concat(source).Distinct();
    }

    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    internal static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));
}

/// <summary>An artifact is missing a file, was altered, or does not match its own manifest.</summary>
public class ArtifactException(string message) : Exception(message);
