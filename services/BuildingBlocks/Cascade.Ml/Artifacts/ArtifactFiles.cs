using System.Security.Cryptography;
using System.Text.Json;

namespace Cascade.Ml.Artifacts;

/// <summary>File names of the artifact layout and the JSON settings they are written with.</summary>
public static class ArtifactFiles
{
    public const string Manifest = "manifest.json";
    public const string ModelUbj = "model.ubj";
    public const string ModelJson = "model.json";
    public const string ReferenceProfile = "reference_profile.json";
    public const string GoldenSamples = "golden_samples.json";

    /// <summary>Every file the manifest hashes.</summary>
    public static readonly IReadOnlyList<string> Hashed = [ModelUbj, ModelJson, ReferenceProfile, GoldenSamples];

    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    internal static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));
}

/// <summary>An artifact is missing a file, was altered, or does not match its own manifest.</summary>
public sealed class ArtifactException(string message) : Exception(message);
