using Cascade.Contracts.Registry.V1;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Ml.Metrics;
using Grpc.Core;

namespace Cascade.Cli.Import;

/// <summary>
/// The evidence the promotion gate decides on, computed on the user's labelled sample: the candidate's metrics and,
/// when the model has a champion, the champion's on the same rows (its artifact downloaded and scored through the
/// same <see cref="Ml.Evaluation.IModelScorer"/> abstraction, whatever framework made it).
/// </summary>
internal static class HoldoutScoring
{
    public static async Task<(HoldoutEvaluation Holdout, string? ChampionNote)> EvaluateAsync(
        ModelArtifact candidate, TabularData sample, string sampleSha256, Model? model, Contracts.Registry.V1.Registry.RegistryClient registry, string workDirectory, CallOptions options)
    {
        var holdout = new HoldoutEvaluation
        {
            HoldoutFingerprint = sampleSha256,
            HoldoutRows = sample.Rows,
            CandidateMetrics = { Score(candidate, sample).ToDictionary() },
        };
        if (model is not { ChampionVersion: > 0 })
        {
            return (holdout, null);
        }
        holdout.ChampionVersion = model.ChampionVersion;
        var version = await registry.GetModelVersionAsync(new GetModelVersionRequest { Model = model.Name, Version = model.ChampionVersion }, options);
        var directory = Path.Combine(workDirectory, $"champion-v{model.ChampionVersion}");
        ArtifactArchive.Unpack(await ArtifactTransfer.DownloadAsync(registry, version.Spec.ArtifactSha256, options), directory);
        var champion = ModelArtifact.Load(directory);
        // A champion that reads other features cannot be scored on these rows: the gate then refuses to compare.
        if (!champion.Manifest.FeatureNames.SequenceEqual(candidate.Manifest.FeatureNames))
        {
            return (holdout, $"champion v{model.ChampionVersion} reads other features ({string.Join(", ", champion.Manifest.FeatureNames)}), so it was not scored on the sample");
        }
        if (champion.Manifest.Objective != candidate.Manifest.Objective || champion.Manifest.OutputsPerRow != candidate.Manifest.OutputsPerRow)
        {
            return (holdout, $"champion v{model.ChampionVersion} is a {champion.Manifest.Objective} model with {champion.Manifest.OutputsPerRow} output(s), so its metrics are not comparable");
        }
        holdout.ChampionMetrics.Add(Score(champion, sample).ToDictionary());
        return (holdout, null);
    }

    private static IReadOnlyDictionary<string, double> Score(ModelArtifact artifact, TabularData sample)
    {
        var predictions = new float[sample.Rows * artifact.Scorer.OutputCount];
        artifact.Scorer.PredictBatch(sample.Features, sample.Rows, predictions);
        return ModelMetrics.For(artifact.Manifest.Objective, sample.Labels, predictions, artifact.Manifest.NumClass);
    }
}
