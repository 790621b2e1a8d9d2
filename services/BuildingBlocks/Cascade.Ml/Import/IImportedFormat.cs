using Cascade.Ml.Data;

namespace Cascade.Ml.Import;

/// <summary>A model file opened in the engine that made it (XGBoost or ONNX Runtime): what an import needs of it.</summary>
internal interface IImportedFormat : IDisposable
{
    /// <summary><see cref="Artifacts.ModelFrameworks"/> name.</summary>
    string Framework { get; }

    int FeatureCount { get; }

    int OutputCount { get; }

    /// <summary>Feature names the file stores, or null.</summary>
    IReadOnlyList<string>? StoredFeatureNames { get; }

    /// <summary>The objective the file states (XGBoost), or null when it must be inferred (ONNX).</summary>
    string? Objective { get; }

    /// <summary>Whether the graph outputs labels beside the served probabilities (a classifier).</summary>
    bool IsClassifierGraph { get; }

    /// <summary>Whether golden samples should include missing values (XGBoost routes them; an ONNX graph need not accept NaN).</summary>
    bool HandlesMissingValues { get; }

    /// <summary>Predictions of the engine itself, row-major: the golden outputs the artifact is checked against.</summary>
    float[] Predict(TabularData rows);

    /// <summary>Rows to make golden samples of when no sample was given.</summary>
    TabularData GenerateRows(IReadOnlyList<string> featureNames);

    /// <summary>The model files of the artifact (the file as uploaded among them) and the name of the one holding the upload.</summary>
    (IReadOnlyDictionary<string, byte[]> Files, string SourceFile) ArtifactFiles(string sourceExtension);

    /// <summary>What describes the model (objective, booster, base score…), for the manifest and the version's lineage.</summary>
    IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>Boosting rounds (XGBoost); 0 for a graph.</summary>
    int Rounds { get; }

    /// <summary>The engine version recorded in the manifest.</summary>
    string EngineVersion { get; }
}
