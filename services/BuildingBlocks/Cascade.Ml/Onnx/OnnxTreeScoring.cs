using Cascade.Ml.Artifacts;
using Cascade.Ml.Export;

namespace Cascade.Ml.Onnx;

/// <summary>
/// An artifact's XGBoost trees scored by ONNX Runtime on a device: exported in memory as the traversal graph
/// (<see cref="OnnxTraversalWriter"/>, standard operators the CUDA provider runs whole), opened on the device, and
/// held to the artifact's golden samples within <see cref="ModelArtifact.OnnxGoldenTolerance"/> before it scores
/// anything. A gpu worker's batch-scoring job runs this on CUDA; the tests run the same code on the CPU provider.
/// </summary>
public static class OnnxTreeScoring
{
    /// <exception cref="ModelExportException">The artifact holds no tree ensemble (an imported ONNX model), or trees no export can hold.</exception>
    /// <exception cref="OnnxDeviceException">No session can be created on <paramref name="device"/>.</exception>
    /// <exception cref="ArtifactException">On the device the model disagrees with its golden samples.</exception>
    public static OnnxScorer Open(ModelArtifact artifact, OnnxDevice device)
    {
        if (!artifact.IsTreeModel)
        {
            throw new ModelExportException($"The artifact holds an imported {artifact.Manifest.EffectiveFramework} model, not an XGBoost tree ensemble: only tree ensembles are exported for ONNX Runtime's devices.");
        }
        var ensemble = TreeEnsembleReader.FromCompiled(artifact.Compiled);
        var metadata = OnnxModelWriter.Metadata(ensemble, artifact.Manifest.FeatureNames, $"model artifact {Path.GetFileName(artifact.Directory)}");
        var scorer = OnnxScorer.Open(OnnxTraversalWriter.Write(ensemble, metadata), device, ensemble.FeatureCount);
        try
        {
            ModelArtifact.VerifyGoldenSamples(scorer, artifact.GoldenSamples, ModelArtifact.OnnxGoldenTolerance);
            return scorer;
        }
        catch
        {
            scorer.Dispose();
            throw;
        }
    }
}
