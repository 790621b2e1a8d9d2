using Cascade.Ml.Artifacts;
using Cascade.Ml.Evaluation;

namespace Cascade.Serving.Domain;

/// <summary>A loaded, verified model version ready to answer: immutable, so a swap is one reference assignment.</summary>
public sealed record ServedModel(string Name, int Version, string ArtifactSha256, string FeatureView, ModelArtifact Artifact, DateTimeOffset LoadedAt)
{
    /// <summary>What scores this version's rows: the compiled XGBoost evaluator, or ONNX Runtime for an imported ONNX model.</summary>
    public IModelScorer Scorer => Artifact.Scorer;

    public IReadOnlyList<string> FeatureNames => Artifact.Manifest.FeatureNames;

    /// <summary>The metric tags of this version's predictions, by <see cref="PredictionRole"/>.</summary>
    internal KeyValuePair<string, object?>[][] PredictionTags { get; } = ServingMetrics.Tags(Name, Version);

    /// <summary>Explanations of this version's predictions (XGBoost loaded on first use; tree models only).</summary>
    public ModelExplainer Explainer { get; } = new(Artifact);

    /// <summary>How this version names each prediction's segment (its training policy's segment column); null when it has none.</summary>
    public SegmentSource? Segment { get; } = SegmentSource.For(Artifact.Manifest);

    /// <summary>What the prediction log withholds of this version's features, cached by <see cref="Privacy.FeaturePrivacyCatalog"/>.</summary>
    internal PrivacyPlan? PrivacyPlan { get; set; }
}

/// <summary>A <see cref="Privacy.LogPrivacy"/> and the catalog generation it was resolved under.</summary>
internal sealed record PrivacyPlan(long Generation, Privacy.LogPrivacy Privacy);
