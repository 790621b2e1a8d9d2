using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Ml.Training;

namespace Cascade.Serving.Domain;

/// <summary>
/// Per-feature contributions (TreeSHAP, computed by XGBoost itself) for one served version. The XGBoost booster is
/// loaded on the first explanation only: most versions are never explained, and predictions never need it. Only
/// tree models are explained: an imported ONNX graph has no TreeSHAP.
/// </summary>
public sealed class ModelExplainer(ModelArtifact artifact)
{
    private readonly Lazy<TrainedModel> _booster = new(artifact.LoadXGBoost, LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly Lock _gate = new();

    /// <summary>Whether this version can be explained (an XGBoost tree ensemble).</summary>
    public bool CanExplain => artifact.IsTreeModel;

    /// <summary>Contributions of each feature to the first output group's margin, and the bias; they sum to the margin.</summary>
    /// <exception cref="InvalidOperationException">The model is not a tree model.</exception>
    public (float[] Contributions, float Bias) Explain(float[] features)
    {
        RequireTreeModel();
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

    /// <summary>Refuses, before any work, to explain a model that is not a tree ensemble.</summary>
    /// <exception cref="InvalidOperationException">The model is not a tree model.</exception>
    public void RequireTreeModel()
    {
        if (!CanExplain)
        {
            throw new InvalidOperationException($"The model is an imported {artifact.Manifest.EffectiveFramework} model: explanations need a tree model (TreeSHAP over an XGBoost ensemble).");
        }
    }
}
