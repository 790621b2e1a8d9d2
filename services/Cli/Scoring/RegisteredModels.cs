using System.Globalization;
using Cascade.Cli.Import;
using Cascade.Contracts;
using Cascade.Contracts.Registry.V1;
using Cascade.Ml.Artifacts;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cascade.Cli.Scoring;

/// <summary>
/// A model named <c>NAME@alias</c> (e.g. <c>churn@champion</c>) or <c>NAME/VERSION</c> (e.g. <c>churn/3</c>): the version
/// the host's Registry holds under that name, its artifact downloaded (and its hash checked) and unpacked into a scratch
/// directory, then loaded and verified as a local artifact is. An existing directory of that name is always the directory.
/// </summary>
internal static class RegisteredModels
{
    /// <summary>Whether <paramref name="model"/> names a registered model (<c>NAME@alias</c>) rather than a directory.</summary>
    public static bool IsReference(string model, out string name, out string alias)
    {
        var at = model.LastIndexOf('@');
        name = at > 0 ? model[..at] : string.Empty;
        alias = at > 0 ? model[(at + 1)..] : string.Empty;
        return at > 0 && alias.Length > 0 && !Directory.Exists(model) && !name.Contains('/') && !name.Contains(Path.DirectorySeparatorChar);
    }

    /// <summary>Whether <paramref name="model"/> names one version of a registered model (<c>NAME/VERSION</c>) rather than a directory.</summary>
    public static bool IsVersionReference(string model, out string name, out int version)
    {
        var slash = model.LastIndexOf('/');
        name = slash > 0 ? model[..slash] : string.Empty;
        version = 0;
        return slash > 0 && !Directory.Exists(model) && !name.Contains('/') && !name.Contains('@')
            && int.TryParse(model[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out version) && version > 0;
    }

    /// <summary>Downloads the version behind <paramref name="alias"/> into <paramref name="scratch"/>; returns it loaded and the version's number.</summary>
    /// <exception cref="RpcException">The host is unreachable, or has no such model or alias.</exception>
    /// <exception cref="ArtifactException">The downloaded archive is not a valid artifact.</exception>
    public static async Task<(ModelArtifact Artifact, int Version)> FetchAsync(GrpcChannel channel, string name, string alias, string scratch, CancellationToken cancellationToken)
    {
        var registry = new Contracts.Registry.V1.Registry.RegistryClient(channel);
        var version = await registry.GetAliasAsync(new GetAliasRequest { Model = name, Alias = alias }, GrpcCalls.Within(TimeSpan.FromSeconds(30), cancellationToken));
        return (await DownloadAsync(registry, version, $"{name}@{alias}", scratch, cancellationToken), version.Meta.Version);
    }

    /// <summary>
    /// The version <paramref name="reference"/> names (<c>NAME@alias</c> or <c>NAME/VERSION</c>) with its artifact
    /// downloaded into <paramref name="scratch"/>; null when <paramref name="reference"/> names neither.
    /// </summary>
    /// <exception cref="RpcException">The host is unreachable, or has no such model, alias or version.</exception>
    /// <exception cref="ArtifactException">The downloaded archive is not a valid artifact, or its artifact was collected.</exception>
    public static async Task<(ModelArtifact Artifact, ModelVersion Version)?> ResolveAsync(GrpcChannel channel, string reference, string scratch, CancellationToken cancellationToken)
    {
        var registry = new Contracts.Registry.V1.Registry.RegistryClient(channel);
        var within = GrpcCalls.Within(TimeSpan.FromSeconds(30), cancellationToken);
        ModelVersion version;
        if (IsReference(reference, out var name, out var alias))
        {
            version = await registry.GetAliasAsync(new GetAliasRequest { Model = name, Alias = alias }, within);
        }
        else if (IsVersionReference(reference, out name, out var number))
        {
            version = await registry.GetModelVersionAsync(new GetModelVersionRequest { Model = name, Version = number }, within);
        }
        else
        {
            return null;
        }
        return (await DownloadAsync(registry, version, reference, scratch, cancellationToken), version);
    }

    private static async Task<ModelArtifact> DownloadAsync(Contracts.Registry.V1.Registry.RegistryClient registry, ModelVersion version, string reference, string scratch, CancellationToken cancellationToken)
    {
        if (version.Meta.ArtifactCollectedAt is not null)
        {
            throw new ArtifactException($"{reference} is version {version.Meta.Version}, whose artifact the retention policy has deleted: it can no longer be read.");
        }
        var archive = await ArtifactTransfer.DownloadAsync(registry, version.Spec.ArtifactSha256, GrpcCalls.Within(TimeSpan.FromMinutes(5), cancellationToken));
        ArtifactArchive.Unpack(archive, scratch);
        return ModelArtifact.Load(scratch);
    }
}
