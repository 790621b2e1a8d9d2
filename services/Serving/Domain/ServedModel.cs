using Cascade.Ml.Artifacts;
using Cascade.Ml.Evaluation;

namespace Cascade.Serving.Domain;

/// <summary>A loaded, verified model version ready to answer: immutable, so a swap is one reference assignment.</summary>
public sealed record ServedModel(string Name, int Version, string ArtifactSha256, string FeatureView, ModelArtifact Artifact, DateTimeOffset LoadedAt)
{
    public CompiledModel Compiled => Artifact.Compiled;

    public IReadOnlyList<string> FeatureNames => Artifact.Manifest.FeatureNames;

    /// <summary>The metric tags of this version's predictions, by <see cref="PredictionRole"/>.</summary>
    internal KeyValuePair<string, object?>[][] PredictionTags { get; } = ServingMetrics.Tags(Name, Version);

    /// <summary>Explanations of this version's predictions (XGBoost loaded on first use).</summary>
    public ModelExplainer Explainer { get; } = new(Artifact);
}
