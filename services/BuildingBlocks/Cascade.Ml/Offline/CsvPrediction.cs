using System.Globalization;
using System.Text;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;

namespace Cascade.Ml.Offline;

/// <summary>Which engine computes predictions.</summary>
public enum PredictionEngine
{
    /// <summary>Cascade's compiled pure-C# evaluator (what Serving runs).</summary>
    Compiled,

    /// <summary>XGBoost's own inplace prediction through the C API.</summary>
    XGBoost,
}

/// <summary><c>cascade predict</c>: artifact + CSV in, one prediction per row out.</summary>
public static class CsvPrediction
{
    /// <summary>
    /// The model's feature rows of <paramref name="csv"/>: its feature columns by name, and each categorical column the
    /// manifest records given raw and encoded with the artifact's vocabulary (the rules Features applies online).
    /// </summary>
    /// <exception cref="CsvFormatException">A problem, naming the line and column.</exception>
    public static TabularData Encode(ModelArtifact artifact, string csv) =>
        CsvTable.Read(csv, artifact.Manifest.Label, artifact.Manifest.FeatureNames, ignoreLabelIfPresent: true, artifact.Manifest.Categorical);

    /// <summary>Predicts every row of <paramref name="csv"/> and writes <paramref name="output"/> atomically; returns the row count.</summary>
    /// <param name="treeEngine">Which of Cascade's evaluators runs a tree model when <paramref name="engine"/> is <see cref="PredictionEngine.Compiled"/>.</param>
    public static int Run(string modelDirectory, string csv, string output, PredictionEngine engine, Evaluation.TreeEngine treeEngine = Evaluation.TreeEngine.Jit)
    {
        var artifact = ModelArtifact.Load(modelDirectory, engine: treeEngine);
        var manifest = artifact.Manifest;
        var table = Encode(artifact, csv);
        float[] predictions;
        if (engine == PredictionEngine.XGBoost)
        {
            if (!artifact.IsTreeModel)
            {
                throw new ArgumentException($"--engine xgboost needs an XGBoost model, and this artifact holds a {manifest.EffectiveFramework} model: leave --engine out (the default engine runs it as serving does).");
            }
            using var model = artifact.LoadXGBoost();
            predictions = model.Predict(table);
        }
        else
        {
            predictions = new float[table.Rows * manifest.OutputsPerRow];
            artifact.Scorer.PredictBatch(table.Features, table.Rows, predictions);
        }

        var text = new StringBuilder();
        text.AppendLine(manifest.OutputsPerRow == 1
            ? "prediction"
            : string.Join(',', Enumerable.Range(0, manifest.OutputsPerRow).Select(c => $"class_{c}")));
        for (var r = 0; r < table.Rows; r++)
        {
            for (var o = 0; o < manifest.OutputsPerRow; o++)
            {
                if (o > 0) text.Append(',');
                // "R": the shortest text that parses back to the same float32.
                text.Append(predictions[r * manifest.OutputsPerRow + o].ToString("R", CultureInfo.InvariantCulture));
            }
            text.AppendLine();
        }
        var temporary = output + ".partial";
        File.WriteAllText(temporary, text.ToString());
        File.Move(temporary, output, overwrite: true);
        return table.Rows;
    }
}
