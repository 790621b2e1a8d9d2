using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Ml.Training;

namespace Cascade.Ml.Offline;

/// <summary><c>cascade train</c>: CSV in, verified artifact out.</summary>
public static class CsvTraining
{
    /// <summary>Trains on <paramref name="csv"/> and writes the artifact to <paramref name="outputDirectory"/>.</summary>
    public static (ModelManifest Manifest, TrainingResult Result) Run(string csv, string label, string outputDirectory, TrainingOptions options, string? validationCsv = null)
    {
        var train = CsvTable.Read(csv, label);
        var validation = validationCsv is null ? null : CsvTable.Read(validationCsv, label, train.FeatureNames);
        var result = Trainers.Train(train, validation, options);
        using (result.Model)
        {
            var manifest = ArtifactWriter.Write(outputDirectory, result, train, validation, label);
            // Prove the artifact loads and its golden samples hold before telling the user it is ready.
            ModelArtifact.Load(outputDirectory);
            return (manifest, result);
        }
    }
}
