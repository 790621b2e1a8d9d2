using Cascade.Cli.Registration;
using Cascade.Contracts.Registry.V1;
using Cascade.Hosting;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Import;
using Cascade.Ml.Signing;
using Grpc.Net.Client;

namespace Cascade.Cli.Import;

/// <summary>What an import did: the version registered, the gate's verdict, and whether (and why) it is champion.</summary>
/// <param name="HadHoldout">Whether the gate had holdout evidence (a labelled sample) to decide on.</param>
/// <param name="ChampionVersion">The champion after the import.</param>
/// <param name="PromotionNote">How it became champion when not by the gate, or why it did not.</param>
/// <param name="ChampionNote">Why the champion could not be scored on the sample, if it could not.</param>
internal sealed record ImportOutcome(
    ImportedModel Imported,
    UploadArtifactResponse Artifact,
    int Version,
    bool HadHoldout,
    bool Champion,
    int ChampionVersion,
    GateDecision Decision,
    string? PromotionNote,
    string? ChampionNote);

/// <summary>
/// <c>cascade models import</c> against a running host: the artifact built and verified here, then uploaded and
/// registered with its lineage and, with a labelled sample, the holdout evidence the promotion gate decides on
/// (<see cref="VersionRegistration"/>, which <c>optimize --register</c> shares). The first version of a new model becomes champion; a later one only through the gate, or
/// explicitly with <c>--force</c> (audited).
/// </summary>
internal static class ModelImport
{
    public const string ForceReason = "import --force";

    /// <summary>
    /// Builds and checks the artifact of <paramref name="request"/> in <paramref name="workDirectory"/>, its manifest
    /// signed by <paramref name="signer"/> (null: unsigned): nothing reaches the host if this fails.
    /// </summary>
    /// <exception cref="ImportException">Unsupported or unreadable model, or names and sample that do not fit it.</exception>
    /// <exception cref="ArtifactException">The artifact does not verify (its golden samples disagree with the model).</exception>
    public static (ImportedModel Imported, ModelArtifact Artifact) Build(ImportRequest request, string workDirectory, SigningKey? signer = null)
    {
        var imported = ModelImporter.Import(request, Path.Combine(workDirectory, "artifact"), signer);
        // Exactly the checks Serving makes before it swaps a version in: hashes, the model itself, golden samples.
        return (imported, ModelArtifact.Load(imported.Directory));
    }

    /// <summary>Uploads, registers and (first version, gate or --force) promotes a built artifact.</summary>
    public static async Task<ImportOutcome> RunAsync(GrpcChannel channel, string modelName, ImportRequest request, ImportedModel imported, ModelArtifact artifact, bool force, string workDirectory, CancellationToken cancellationToken)
    {
        var manifest = imported.Manifest;
        var lineage = new Lineage
        {
            // Trained elsewhere: the only data Cascade saw is the sample it checked the model on.
            Dataset = request.SampleFile is { } sampleFile ? Path.GetFileName(sampleFile) : string.Empty,
            CodeVersion = GitCommit.Find(Environment.GetEnvironmentVariable("CASCADE_REPO_ROOT") ?? AppContext.BaseDirectory),
            Parameters = { manifest.Parameters.ToDictionary() },
            Worker = "cascade-cli",
            TriggerReason = "import",
        };
        lineage.Parameters["framework"] = manifest.EffectiveFramework;
        lineage.Parameters["source_file"] = manifest.Source!.FileName;
        lineage.Parameters["source_sha256"] = manifest.Source.Sha256;
        var registration = await VersionRegistration.RegisterAsync(channel, new VersionCandidate
        {
            Model = modelName,
            ArtifactDirectory = imported.Directory,
            Artifact = artifact,
            Lineage = lineage,
            Holdout = imported.Sample is { Labels: not null } sample ? sample : null,
            HoldoutFingerprint = imported.SampleSha256,
            ValidationMetrics = manifest.Metrics.TryGetValue("sample", out var sampleMetrics) ? sampleMetrics : null,
            RegisteredBy = $"cascade models import ({Environment.UserName})",
        }, workDirectory, cancellationToken);

        var (stored, version, championNote) = (registration.Artifact, registration.Version, registration.ChampionNote);
        if (registration.Promoted)
        {
            return new ImportOutcome(imported, stored, version, registration.HadHoldout, true, version, registration.Decision, null, championNote);
        }
        var registry = new Contracts.Registry.V1.Registry.RegistryClient(channel);
        var champion = (await registry.GetModelAsync(new GetModelRequest { Name = modelName }, Commands.HostCall.Timeout(cancellationToken))).ChampionVersion;
        var noHoldout = !registration.HadHoldout;
        if (force || (champion == 0 && noHoldout))
        {
            // --force, or the first version of a model with no holdout to judge it on: promoted explicitly, and audited.
            var reason = force ? ForceReason : "import: first version of a new model, no labelled sample to judge it on";
            var promoted = await registry.PromoteModelVersionAsync(new PromoteModelVersionRequest { Model = modelName, Version = version, Force = true, Actor = Environment.UserName, Reason = reason }, Commands.HostCall.Timeout(cancellationToken));
            return new ImportOutcome(imported, stored, version, !noHoldout, true, promoted.ToVersion, registration.Decision, $"promoted explicitly: {reason} (audited)", championNote);
        }
        var why = noHoldout
            ? $"no labelled sample, so the gate had nothing to compare with champion v{champion}; import again with --sample FILE.csv (labels in '{ModelImporter.DefaultLabel}' or --label), or promote it with --force"
            : $"the gate refused: {registration.Decision.Reason}";
        return new ImportOutcome(imported, stored, version, !noHoldout, false, champion, registration.Decision, why, championNote);
    }
}
