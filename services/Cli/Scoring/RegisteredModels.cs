using Cascade.Cli.Import;
using Cascade.Contracts;
using Cascade.Contracts.Registry.V1;
using Cascade.Ml.Artifacts;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cascade.Cli.Scoring;

/// <summary>
/// A model named <c>NAME@alias</c> (e.g. <c>churn@champion</c>): the version the host's Registry holds under the alias,
/// its artifact downloaded (and its hash checked) and unpacked into a scratch directory, then loaded and verified as a
/// local artifact is.
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

    /// <summary>Downloads the version behind <paramref name="alias"/> into <paramref name="scratch"/>; returns it loaded and the version's number.</summary>
    /// <exception cref="RpcException">The host is unreachable, or has no such model or alias.</exception>
    /// <exception cref="ArtifactException">The downloaded archive is not a valid artifact.</exception>
    public static async Task<(ModelArtifact Artifact, int Version)> FetchAsync(GrpcChannel channel, string name, string alias, string scratch, CancellationToken cancellationToken)
    {
        var registry = new Contracts.Registry.V1.Registry.RegistryClient(channel);
        var version = await registry.GetAliasAsync(new GetAliasRequest { Model = name, Alias = alias }, GrpcCalls.Within(TimeSpan.FromSeconds(30), cancellationToken));
        if (version.Meta.ArtifactCollectedAt is not null)
        {
            throw new ArtifactException($"{name}@{alias} is version {version.Meta.Version}, whose artifact the retention policy has deleted: it can no longer be scored.");
        }
        var archive = await ArtifactTransfer.DownloadAsync(registry, version.Spec.ArtifactSha256, GrpcCalls.Within(TimeSpan.FromMinutes(5), cancellationToken));
        ArtifactArchive.Unpack(archive, scratch);
        return (ModelArtifact.Load(scratch), version.Meta.Version);
    }
}
