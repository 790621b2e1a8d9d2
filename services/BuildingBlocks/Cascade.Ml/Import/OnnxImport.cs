using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Ml.Evaluation;
using Cascade.Ml.Onnx;

namespace Cascade.Ml.Import;

/// <summary>An ONNX model file opened in ONNX Runtime, which computes its golden samples; the file itself is what the artifact serves.</summary>
internal sealed class OnnxImport : IImportedFormat
{
    private readonly byte[] _source;
    private readonly OnnxScorer _scorer;

    private OnnxImport(byte[] source, OnnxScorer scorer)
    {
        _source = source;
        _scorer = scorer;
    }

    public string Framework => ModelFrameworks.Onnx;

    public int FeatureCount => _scorer.FeatureCount;

    public int OutputCount => _scorer.OutputCount;

    /// <summary>ONNX has no standard place for feature names: they come from <c>--features</c>.</summary>
    public IReadOnlyList<string>? StoredFeatureNames => null;

    public string? Objective => null;

    public bool IsClassifierGraph => _scorer.HasLabelOutput;

    public bool HandlesMissingValues => false;

    public IReadOnlyDictionary<string, string> Parameters => new Dictionary<string, string>
    {
        ["onnx_input"] = _scorer.InputName,
        ["onnx_output"] = _scorer.OutputName,
    };

    public int Rounds => 0;

    public string EngineVersion => OnnxScorer.RuntimeVersion;

    /// <exception cref="ImportException">ONNX Runtime cannot load the graph, or it is not one float input [N, features] and one float output.</exception>
    public static OnnxImport Open(byte[] source, string fileName, int? featureCount)
    {
        try
        {
            return new OnnxImport(source, OnnxScorer.Load(source, featureCount));
        }
        catch (UnsupportedModelException ex)
        {
            throw new ImportException($"{fileName}: {ex.Message}", ex);
        }
    }

    public float[] Predict(TabularData rows)
    {
        var outputs = new float[rows.Rows * OutputCount];
        _scorer.PredictBatch(rows.Features, rows.Rows, outputs);
        return outputs;
    }

    public TabularData GenerateRows(IReadOnlyList<string> featureNames) => GeneratedRows.Normal(featureNames);

    public (IReadOnlyDictionary<string, byte[]> Files, string SourceFile) ArtifactFiles(string sourceExtension) =>
        (new Dictionary<string, byte[]> { [Artifacts.ArtifactFiles.ModelOnnx] = _source }, Artifacts.ArtifactFiles.ModelOnnx);

    public void Dispose() => _scorer.Dispose();
}
