using Cascade.Cli.Import;
using Cascade.Contracts.Registry.V1;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cascade.Cli.Registration;

/// <summary>
/// A built and verified artifact the CLI registers: what the Registry records about it beyond the manifest's own
/// facts (objective, features, framework), and the labelled rows the promotion gate compares it on.
/// </summary>
internal sealed record VersionCandidate
{
    public required string Model { get; init; }

    /// <summary>The artifact directory, packed and uploaded as it is (its signature included).</summary>
    public required string ArtifactDirectory { get; init; }

    /// <summary>The same artifact loaded, so verified: it is scored on <see cref="Holdout"/>.</summary>
    public required ModelArtifact Artifact { get; init; }

    public required Lineage Lineage { get; init; }

    /// <summary>Labelled rows the candidate and the champion are both scored on; null: the gate has no evidence to compare.</summary>
    public TabularData? Holdout { get; init; }

    /// <summary>What identifies <see cref="Holdout"/>'s rows (the SHA-256 of the file they came from).</summary>
    public string? HoldoutFingerprint { get; init; }

    public IReadOnlyDictionary<string, double>? ValidationMetrics { get; init; }

    /// <summary>Who registers it, as the audit log shows.</summary>
    public required string RegisteredBy { get; init; }
}

/// <summary>What the Registry answered: the stored artifact, the new version and the gate's verdict on it.</summary>
/// <param name="HadHoldout">Whether the gate had holdout evidence to decide on.</param>
/// <param name="ChampionNote">Why the champion could not be scored on the holdout, if it could not.</param>
internal sealed record RegistrationResult(UploadArtifactResponse Artifact, int Version, bool Promoted, GateDecision Decision, bool HadHoldout, string? ChampionNote);

/// <summary>
/// Registers an artifact built by the CLI (<c>models import</c>, <c>optimize --register</c>) on a running host the way a
/// training worker registers its own: the archive uploaded to the Registry (<c>UploadArtifact</c>, content-addressed),
/// candidate and champion scored on the same labelled rows, and <c>RegisterModelVersion</c>, whose promotion gate alone
/// decides whether the version becomes champion. What to do when the gate says no is the caller's business.
/// </summary>
internal static class VersionRegistration
{
    public static async Task<RegistrationResult> RegisterAsync(GrpcChannel channel, VersionCandidate candidate, string workDirectory, CancellationToken cancellationToken)
    {
        var registry = new Contracts.Registry.V1.Registry.RegistryClient(channel);
        var model = await FindModelAsync(registry, candidate.Model, cancellationToken);
        var stored = await ArtifactTransfer.UploadAsync(registry, ArtifactArchive.Pack(candidate.ArtifactDirectory), Commands.HostCall.Timeout(cancellationToken));

        var manifest = candidate.Artifact.Manifest;
        var spec = new ModelVersionSpec
        {
            Model = candidate.Model,
            ArtifactUri = stored.Uri,
            ArtifactSha256 = stored.Sha256,
            ArtifactSize = stored.SizeBytes,
            Framework = manifest.EffectiveFramework,
            Objective = manifest.Objective,
            NumClass = manifest.NumClass,
            FeatureNames = { manifest.FeatureNames },
            Lineage = candidate.Lineage,
        };
        if (candidate.ValidationMetrics is { } validation)
        {
            spec.ValidationMetrics.Add(validation.ToDictionary());
        }
        string? championNote = null;
        if (candidate.Holdout is { Labels: not null } holdout)
        {
            (spec.Holdout, championNote) = await HoldoutScoring.EvaluateAsync(candidate.Artifact, holdout, candidate.HoldoutFingerprint ?? string.Empty, model, registry, workDirectory, Commands.HostCall.Timeout(cancellationToken));
        }
        var registered = await registry.RegisterModelVersionAsync(new RegisterModelVersionRequest { Spec = spec, RegisteredBy = candidate.RegisteredBy }, Commands.HostCall.Timeout(cancellationToken));
        return new RegistrationResult(stored, registered.Version.Meta.Version, registered.Promoted, registered.Decision, spec.Holdout is not null, championNote);
    }

    /// <summary>The model, or null when the Registry does not know it yet (its first version creates it).</summary>
    public static async Task<Model?> FindModelAsync(Contracts.Registry.V1.Registry.RegistryClient registry, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await registry.GetModelAsync(new GetModelRequest { Name = name }, Commands.HostCall.Timeout(cancellationToken));
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }
}
