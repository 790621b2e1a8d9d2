using Cascade.Cli.Registration;
using Cascade.Contracts.Registry.V1;
using Cascade.Hosting;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Optimization;
using Grpc.Net.Client;

namespace Cascade.Cli.Optimize;

/// <summary>
/// <c>cascade optimize --register</c>: a pruned variant of a registered version becomes a new version of the same model.
/// Its lineage keeps the parent's data lineage (dataset, watermark, feature view and version: the same rows grew its
/// trees, and Serving resolves entities through that view) and adds the parent version and the optimisation; it goes
/// through <see cref="VersionRegistration"/> like an import, scored with the champion on the holdout the budget was
/// measured on, so the promotion gate decides as for any challenger. Nothing here promotes it.
/// </summary>
internal static class OptimizedVersions
{
    public static async Task<RegistrationResult> RegisterAsync(GrpcChannel channel, ModelVersion parent, ModelArtifact optimized, OptimizationOutcome outcome, string workDirectory, CancellationToken cancellationToken)
    {
        var optimization = optimized.Manifest.Optimization ?? throw new ArtifactException("The optimised artifact's manifest records no optimisation.");
        return await VersionRegistration.RegisterAsync(channel, new VersionCandidate
        {
            Model = parent.Spec.Model,
            ArtifactDirectory = optimized.Directory,
            Artifact = optimized,
            Lineage = LineageFor(parent, optimization),
            Holdout = outcome.Holdout,
            HoldoutFingerprint = optimization.HoldoutSha256,
            RegisteredBy = $"cascade optimize ({Environment.UserName})",
        }, workDirectory, cancellationToken);
    }

    /// <summary>The parent's data lineage, this code's version, and the parent's parameters with the optimisation's beside them.</summary>
    public static Lineage LineageFor(ModelVersion parent, ModelOptimization optimization)
    {
        var inherited = parent.Spec.Lineage ?? new Lineage();
        var lineage = new Lineage
        {
            Dataset = inherited.Dataset,
            SchemaVersion = inherited.SchemaVersion,
            Watermark = inherited.Watermark,
            FeatureView = inherited.FeatureView,
            FeatureViewVersion = inherited.FeatureViewVersion,
            TrainingRows = inherited.TrainingRows,
            // No training job made it: a job id would make the registry take it for a retried registration of the parent.
            CodeVersion = GitCommit.Find(Environment.GetEnvironmentVariable("CASCADE_REPO_ROOT") ?? AppContext.BaseDirectory),
            Worker = "cascade-cli",
            TriggerReason = $"optimize v{parent.Meta.Version}: {optimization.Method} within a holdout {optimization.Metric} loss of {optimization.MaxLoss:G}",
        };
        foreach (var (name, value) in inherited.Parameters.Where(p => !p.Key.StartsWith(ModelOptimization.LineagePrefix, StringComparison.Ordinal)))
        {
            lineage.Parameters[name] = value;
        }
        foreach (var (name, value) in optimization.ToLineageParameters(parent.Meta.Version))
        {
            lineage.Parameters[name] = value;
        }
        return lineage;
    }
}
