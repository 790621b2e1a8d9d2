using System.Globalization;
using System.Text;
using System.Text.Json;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Ml.Evaluation;
using Cascade.Ml.Native;
using Cascade.Ml.Training;

namespace Cascade.Ml.Import;

/// <summary>
/// An XGBoost model file (<c>.json</c> or <c>.ubj</c>) loaded into XGBoost through its C API: re-saved as JSON (which
/// the compiled evaluator reads) and UBJSON (which explanations load), compiled to refuse what the evaluator does not
/// implement, and used to predict the golden samples, so the artifact's bit-for-bit check compares against XGBoost itself.
/// </summary>
internal sealed class XGBoostImport : IImportedFormat
{
    private readonly byte[] _source;
    private readonly byte[] _json;
    private readonly TrainedModel _model;

    private XGBoostImport(byte[] source, byte[] json, CompiledModel compiled, TrainedModel model, IReadOnlyDictionary<string, string> parameters)
    {
        _source = source;
        _json = json;
        _model = model;
        FeatureCount = compiled.FeatureCount;
        OutputCount = compiled.OutputCount;
        Objective = compiled.Objective;
        StoredFeatureNames = compiled.FeatureNames.Count > 0 ? compiled.FeatureNames : null;
        Parameters = parameters;
    }

    public string Framework => ModelFrameworks.XGBoost;

    public int FeatureCount { get; }

    public int OutputCount { get; }

    public IReadOnlyList<string>? StoredFeatureNames { get; }

    public string? Objective { get; }

    public bool IsClassifierGraph => false;

    public bool HandlesMissingValues => true;

    public IReadOnlyDictionary<string, string> Parameters { get; }

    public int Rounds => _model.Rounds;

    public string EngineVersion => XGBoostLibrary.Version.ToString();

    /// <summary>Loads the file's bytes (XGBoost tells JSON from UBJSON itself) and checks the compiled evaluator can serve it.</summary>
    /// <exception cref="ImportException">XGBoost cannot read the file, or it is not a gbtree model with a supported objective.</exception>
    public static XGBoostImport Open(byte[] source, string fileName)
    {
        Booster booster;
        try
        {
            booster = Booster.Load(source);
        }
        catch (XGBoostException ex)
        {
            throw new ImportException($"{fileName}: XGBoost cannot read it as a model saved by Booster.save_model ({ex.Message}).", ex);
        }
        try
        {
            // The JSON a Booster writes is what the compiled evaluator reads, whichever format was uploaded.
            var json = booster.Save("json");
            var text = Encoding.UTF8.GetString(json);
            CompiledModel compiled;
            try
            {
                compiled = CompiledModel.FromXgboostJson(text);
            }
            catch (UnsupportedModelException ex)
            {
                throw new ImportException($"{fileName}: {ex.Message}", ex);
            }
            var parameters = ReadParameters(text);
            // Prediction uses one thread: on shared 2-core machines more threads explode tail latency.
            booster.SetParam("nthread", "1");
            var numClass = compiled.Objective == "multi:softprob" ? compiled.OutputCount : 1;
            // Placeholder names where the file has none: XGBoost's inplace prediction only counts them.
            var names = compiled.FeatureNames.Count > 0 ? compiled.FeatureNames : Enumerable.Range(0, compiled.FeatureCount).Select(i => $"f{i}").ToArray();
            var model = new TrainedModel(booster, compiled.Objective, numClass, names, parameters);
            return new XGBoostImport(source, json, compiled, model, parameters);
        }
        catch
        {
            booster.Dispose();
            throw;
        }
    }

    public float[] Predict(TabularData rows) => _model.PredictDense(rows.Features, rows.Rows);

    public TabularData GenerateRows(IReadOnlyList<string> featureNames) => GeneratedRows.AroundSplits(Encoding.UTF8.GetString(_json), featureNames);

    public (IReadOnlyDictionary<string, byte[]> Files, string SourceFile) ArtifactFiles(string sourceExtension)
    {
        var source = Artifacts.ArtifactFiles.Source(sourceExtension);
        var files = new Dictionary<string, byte[]>
        {
            [Artifacts.ArtifactFiles.ModelJson] = _json,
            [Artifacts.ArtifactFiles.ModelUbj] = _model.SaveUbj(),
            [source] = _source,
        };
        return (files, source);
    }

    /// <summary>The objective, booster and learner parameters the model file records (training parameters are not saved in it).</summary>
    private static Dictionary<string, string> ReadParameters(string json)
    {
        using var document = JsonDocument.Parse(json);
        var learner = document.RootElement.GetProperty("learner");
        var parameters = new Dictionary<string, string>
        {
            ["objective"] = learner.GetProperty("objective").GetProperty("name").GetString() ?? string.Empty,
            ["booster"] = learner.GetProperty("gradient_booster").GetProperty("name").GetString() ?? string.Empty,
        };
        foreach (var parameter in learner.GetProperty("learner_model_param").EnumerateObject())
        {
            parameters[parameter.Name] = parameter.Value.ValueKind == JsonValueKind.String
                ? parameter.Value.GetString()!
                : parameter.Value.GetRawText();
        }
        if (document.RootElement.TryGetProperty("version", out var version) && version.ValueKind == JsonValueKind.Array)
        {
            parameters["saved_by_xgboost"] = string.Join('.', version.EnumerateArray().Select(v => v.GetInt32().ToString(CultureInfo.InvariantCulture)));
        }
        return parameters;
    }

    public void Dispose() => _model.Dispose();
}
