using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Ml.Training;

namespace Cascade.Serving.Domain;

/// <summary>
/// Per-feature contributions (TreeSHAP, computed by XGBoost itself) for one served version. The XGBoost booster is
/// loaded on the first explanation only: most versions are never explained, and predictions never need it.
/// </summary>
public sealed class ModelExplainer(ModelArtifact artifact)
{
    private readonly Lazy<TrainedModel> _booster = new(artifact.LoadXGBoost, LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly Lock _gate = new();

    /// <summary>Contributions of each feature to the first output group's margin, and the bias; they sum to the margin.</summary>
    public (float[] Contributions, float Bias) Explain(float[] features)
    {
        var names = artifact.Manifest.FeatureNames;
        var data = new TabularData(features, 1, names);
        float[] values;
        lock (_gate)
        {
            // One booster per version; XGBoost's prediction buffers are not shared safely between threads.
            values = _booster.Value.Contributions(data);
        }
        return (values[..names.Count], values[names.Count]);
    }
}
