using System.Text;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Onnx;

namespace Cascade.Ml.Export;

/// <summary>
/// <c>cascade export</c>: a verified artifact's XGBoost trees written as ONNX or C. The artifact is loaded as
/// <c>cascade predict</c> loads it (hashes and golden samples checked); an ONNX export is then run in ONNX Runtime on
/// the golden samples and written only if it agrees with the compiled evaluator within
/// <see cref="ModelArtifact.OnnxGoldenTolerance"/>.
/// </summary>
public static class ModelExporter
{
    /// <exception cref="ArtifactException">The artifact is not valid (see <see cref="ModelArtifact.Load"/>).</exception>
    /// <exception cref="ModelExportException">The model cannot be exported, or the ONNX export disagrees with the evaluator.</exception>
    public static ExportResult Export(string artifactDirectory, ExportFormat format, string outputPath)
    {
        var artifact = ModelArtifact.Load(artifactDirectory);
        var ensemble = Read(artifact);
        var manifest = artifact.Manifest;
        var origin = $"model artifact {Path.GetFileName(artifact.Directory)}";
        byte[] content;
        var checkedSamples = 0;
        var maxDifference = 0.0;
        if (format == ExportFormat.Onnx)
        {
            content = OnnxModelWriter.Write(ensemble, OnnxModelWriter.Metadata(ensemble, manifest.FeatureNames, origin));
            (checkedSamples, maxDifference) = CheckOnnx(content, artifact);
        }
        else
        {
            content = Encoding.UTF8.GetBytes(CSourceExport.Generate(ensemble, manifest.FeatureNames, manifest.Categorical ?? [], origin));
        }
        var full = Path.GetFullPath(outputPath);
        if (Path.GetDirectoryName(full) == Path.TrimEndingDirectorySeparator(artifact.Directory))
        {
            throw new ModelExportException($"--out {full} is inside the artifact directory, whose files its manifest hashes: write the export elsewhere.");
        }
        var temporary = full + ".partial";
        File.WriteAllBytes(temporary, content);
        File.Move(temporary, full, overwrite: true);
        return new ExportResult(full, content.LongLength, ensemble.Trees.Count, checkedSamples, maxDifference);
    }

    /// <summary>The artifact's trees: the ones its evaluator compiled when <see cref="ModelArtifact.Load"/> verified it.</summary>
    private static TreeEnsemble Read(ModelArtifact artifact)
    {
        if (!artifact.IsTreeModel)
        {
            throw new ModelExportException($"The artifact holds an imported {artifact.Manifest.EffectiveFramework} model, not an XGBoost tree ensemble: exports are made from trees. An ONNX model is already portable: use its {ArtifactFiles.ModelOnnx}.");
        }
        return TreeEnsembleReader.FromCompiled(artifact.Compiled);
    }

    /// <summary>Runs the ONNX model on every golden sample; returns how many and the largest difference from the evaluator.</summary>
    private static (int Samples, double MaxDifference) CheckOnnx(byte[] onnx, ModelArtifact artifact)
    {
        OnnxScorer scorer;
        try
        {
            scorer = OnnxScorer.Load(onnx, artifact.Compiled.FeatureCount);
        }
        catch (Evaluation.UnsupportedModelException ex)
        {
            throw new ModelExportException($"The ONNX export does not load in ONNX Runtime {OnnxScorer.RuntimeVersion}: {ex.Message}");
        }
        using (scorer)
        {
            var samples = artifact.GoldenSamples;
            var rows = new float[samples.Count * scorer.FeatureCount];
            for (var s = 0; s < samples.Count; s++)
            {
                for (var f = 0; f < scorer.FeatureCount; f++)
                {
                    rows[s * scorer.FeatureCount + f] = samples[s].Features[f] ?? float.NaN;
                }
            }
            var expected = new float[samples.Count * scorer.OutputCount];
            var actual = new float[expected.Length];
            artifact.Compiled.PredictBatch(rows, samples.Count, expected);
            scorer.PredictBatch(rows, samples.Count, actual);
            var max = 0.0;
            for (var i = 0; i < expected.Length; i++)
            {
                var difference = Math.Abs((double)actual[i] - expected[i]);
                if (!(difference <= ModelArtifact.OnnxGoldenTolerance * Math.Max(1.0, Math.Abs(expected[i]))))
                {
                    throw new ModelExportException($"The ONNX export gives {actual[i]:R} for golden sample {i / scorer.OutputCount}, output {i % scorer.OutputCount}, where the evaluator gives {expected[i]:R}: not written.");
                }
                max = Math.Max(max, difference);
            }
            return (samples.Count, max);
        }
    }
}
