using System.Globalization;
using System.Text;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Ml.MlNet;
using Cascade.Ml.Native;
using Cascade.Ml.Training;

namespace Cascade.Ml.Import;

/// <summary>
/// An ML.NET model (<c>.zip</c> from <c>mlContext.Model.Save</c>) holding a FastTree or LightGbm ensemble: converted
/// into the gbtree form Cascade serves, loaded into XGBoost (whose predictions are the golden samples, as for an
/// imported XGBoost file), and checked row by row against ML.NET's own predictions: every row the import predicts
/// (generated rows, the sample) must agree within <see cref="MlNetReference.Tolerance"/>. The artifact keeps the
/// <c>.zip</c> as uploaded.
/// </summary>
internal sealed class MlNetImport : IImportedFormat
{
    private readonly byte[] _source;
    private readonly MlNetModelFile _file;
    private readonly ConvertedEnsemble _ensemble;
    private readonly TrainedModel _model;
    private readonly string _fileName;

    private MlNetImport(byte[] source, string fileName, MlNetModelFile file, ConvertedEnsemble ensemble, TrainedModel model)
    {
        _source = source;
        _fileName = fileName;
        _file = file;
        _ensemble = ensemble;
        _model = model;
        var parameters = new Dictionary<string, string>
        {
            ["objective"] = ensemble.Objective,
            ["booster"] = "gbtree",
            ["converted_from"] = "mlnet",
            ["mlnet_model"] = ModelKind(file),
            ["mlnet_trees"] = ensemble.Trees.Count.ToString(CultureInfo.InvariantCulture),
            ["mlnet_version"] = MlNetParameters.MlNetVersion,
        };
        if (file.ClassNames is { } names) parameters["class_names"] = string.Join(',', names);
        Parameters = parameters;
    }

    public string Framework => ModelFrameworks.XGBoost;

    public int FeatureCount => _file.FeatureCount;

    public int OutputCount => _ensemble.OutputCount;

    public IReadOnlyList<string>? StoredFeatureNames => _file.FeatureNames;

    public string? Objective => _ensemble.Objective;

    public bool IsClassifierGraph => false;

    /// <summary>Trees route a missing value down one fixed child, exactly as ML.NET substitutes or compares it.</summary>
    public bool HandlesMissingValues => true;

    public IReadOnlyDictionary<string, string> Parameters { get; }

    public int Rounds => _model.Rounds;

    /// <summary>XGBoost computes the golden samples of the converted model.</summary>
    public string EngineVersion => XGBoostLibrary.Version.ToString();

    /// <summary>Loads the model, converts its trees and checks XGBoost can load the conversion.</summary>
    /// <param name="featureNames">The names given with <c>--features</c>: the converted model records them (else the model's own, else f0…).</param>
    /// <exception cref="ImportException">ML.NET cannot read the file, or its model is not a tree ensemble Cascade reproduces exactly.</exception>
    public static MlNetImport Open(byte[] source, string fileName, IReadOnlyList<string>? featureNames)
    {
        MlNetModelFile file;
        ConvertedEnsemble ensemble;
        try
        {
            file = MlNetModelFile.Load(source);
            var names = featureNames is { } given && given.Count == file.FeatureCount ? given
                : file.FeatureNames ?? Enumerable.Range(0, file.FeatureCount).Select(i => $"f{i}").ToArray();
            ensemble = MlNetEnsembleReader.Read(file.Predictor.Model, names, OneVersusAllOutputs.AsMlNet, file.ClassGroups);
        }
        catch (NotSupportedException ex)
        {
            throw new ImportException($"{fileName}: {ex.Message}", ex);
        }
        // The model file records no row counts: each node's cover is the number of leaves below it.
        ensemble.CountCovers(new TabularData([], 0, ensemble.FeatureNames));
        var model = TrainedModel.Load(ensemble.ToXGBoostJson(), ensemble.Objective, ensemble.NumClass, ensemble.FeatureNames, new Dictionary<string, string>());
        return new MlNetImport(source, fileName, file, ensemble, model);
    }

    /// <summary>XGBoost's predictions of the converted model, after checking them against ML.NET's own.</summary>
    /// <exception cref="ImportException">The conversion disagrees with ML.NET on a row (a bug: the import is refused rather than served wrong).</exception>
    public float[] Predict(TabularData rows)
    {
        var outputs = _model.PredictDense(rows.Features, rows.Rows);
        try
        {
            MlNetReference.Verify(_file.Predict(rows, _ensemble), outputs, rows, OutputCount);
        }
        catch (InvalidOperationException ex)
        {
            throw new ImportException($"{_fileName}: {ex.Message}", ex);
        }
        return outputs;
    }

    public TabularData GenerateRows(IReadOnlyList<string> featureNames) => GeneratedRows.AroundSplits(Encoding.UTF8.GetString(_ensemble.ToXGBoostJson()), featureNames);

    public (IReadOnlyDictionary<string, byte[]> Files, string SourceFile) ArtifactFiles(string sourceExtension)
    {
        var source = Artifacts.ArtifactFiles.Source(sourceExtension);
        var files = new Dictionary<string, byte[]>
        {
            [Artifacts.ArtifactFiles.ModelJson] = _model.SaveJson(),
            [Artifacts.ArtifactFiles.ModelUbj] = _model.SaveUbj(),
            [source] = _source,
        };
        return (files, source);
    }

    private static string ModelKind(MlNetModelFile file) => file.Predictor.Model switch
    {
        Microsoft.ML.Calibrators.CalibratedModelParametersBase calibrated => calibrated.SubModel.GetType().Name,
        var model => model.GetType().Name,
    };

    public void Dispose() => _model.Dispose();
}
