using Cascade.Ml.Offline;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Ml.Import;
using Cascade.Ml.Onnx;
using Cascade.Ml.Tests.Fixtures;
using Cascade.Ml.Training;

namespace Cascade.Ml.Tests;

/// <summary>
/// Models trained elsewhere turned into artifacts: XGBoost files (served bit for bit by the compiled evaluator, checked
/// against XGBoost itself) and ONNX graphs (served by ONNX Runtime within the stated tolerance), and what loading refuses.
/// </summary>
public sealed class ModelImportTests : IDisposable
{
    private static readonly float[] Weights = [0.9f, -0.6f, 0.4f, -0.2f, 0.7f];
    private static readonly string[] Names = ["a", "b", "c", "d", "e"];
    private readonly string _root = System.IO.Directory.CreateTempSubdirectory("cascade-import-").FullName;

    /// <summary>
    /// An XGBoost model file as python's Booster.save_model writes it (same C library), with its training data. The JSON
    /// one records feature names as python does when the DMatrix had them; the UBJSON one has none.
    /// </summary>
    private (string Path, TabularData Train) XGBoostFile(string extension)
    {
        var train = SyntheticData.Binary(400);
        var result = XGBoostTrainer.Train(train, null, new TrainingOptions { Parameters = new() { ["objective"] = "binary:logistic", ["max_depth"] = "3" }, Rounds = 12 });
        using var model = result.Model;
        var path = Path.Combine(_root, "trained" + extension);
        if (extension == ".ubj")
        {
            File.WriteAllBytes(path, model.SaveUbj());
        }
        else
        {
            var json = JsonNode.Parse(model.SaveJson())!;
            json["learner"]!["feature_names"] = new JsonArray(Names.Select(n => (JsonNode)n).ToArray());
            json["learner"]!["feature_types"] = new JsonArray(Names.Select(_ => (JsonNode)"float").ToArray());
            File.WriteAllText(path, json.ToJsonString());
        }
        return (path, train);
    }

    /// <summary>The names a file without stored names needs.</summary>
    private static IReadOnlyList<string>? NamesFor(string file) => file.EndsWith(".ubj", StringComparison.Ordinal) ? Names : null;

    private string OnnxFile()
    {
        var path = Path.Combine(_root, "logistic.onnx");
        File.WriteAllBytes(path, OnnxGraphs.Logistic(Weights, 0.2f));
        return path;
    }

    private string Directory(string name) => Path.Combine(_root, name);

    [Theory]
    [InlineData(".json")]
    [InlineData(".ubj")]
    public void An_xgboost_file_becomes_an_artifact_that_predicts_bit_for_bit_as_xgboost(string extension)
    {
        var (file, train) = XGBoostFile(extension);
        var imported = ModelImporter.Import(new ImportRequest { ModelFile = file, FeatureNames = NamesFor(file) }, Directory("artifact"));
        var artifact = ModelArtifact.Load(imported.Directory);

        artifact.Manifest.EffectiveFramework.Should().Be("xgboost");
        artifact.Manifest.Objective.Should().Be("binary:logistic");
        artifact.Manifest.FeatureNames.Should().Equal(Names, "the names stored in the JSON model are used when none are given");
        artifact.Manifest.Source!.FileName.Should().Be("trained" + extension);
        artifact.Manifest.Source.Sha256.Should().Be(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))));
        File.ReadAllBytes(Path.Combine(imported.Directory, artifact.Manifest.Source.ArtifactFile)).Should().Equal(File.ReadAllBytes(file), "the file is kept as uploaded");
        artifact.IsTreeModel.Should().BeTrue();
        artifact.GoldenSamples.Should().HaveCount(32).And.Contain(s => s.Features.Any(f => f == null), "golden rows exercise missing values");

        using var xgboost = artifact.LoadXGBoost();
        var expected = xgboost.Predict(train);
        var actual = new float[train.Rows];
        artifact.Scorer.PredictBatch(train.Features, train.Rows, actual);
        actual.Select(BitConverter.SingleToUInt32Bits).Should().Equal(expected.Select(BitConverter.SingleToUInt32Bits));
    }

    [Fact]
    public void Without_a_sample_the_artifact_says_it_has_no_reference_profile()
    {
        var (file, _) = XGBoostFile(".ubj");
        var imported = ModelImporter.Import(new ImportRequest { ModelFile = file, FeatureNames = NamesFor(file) }, Directory("artifact"));
        var artifact = ModelArtifact.Load(imported.Directory);
        artifact.Manifest.HasReferenceProfile.Should().BeFalse();
        artifact.Profile.Should().BeNull();
        File.Exists(Path.Combine(imported.Directory, ArtifactFiles.ReferenceProfile)).Should().BeFalse();
        artifact.Manifest.Metrics.Should().BeEmpty();
    }

    [Fact]
    public void A_labelled_sample_gives_golden_rows_a_reference_profile_and_metrics()
    {
        var (file, train) = XGBoostFile(".json");
        var sample = SyntheticData.WriteCsv(train, Path.Combine(_root, "sample.csv"));
        var imported = ModelImporter.Import(new ImportRequest { ModelFile = file, FeatureNames = NamesFor(file), SampleFile = sample }, Directory("artifact"));
        var artifact = ModelArtifact.Load(imported.Directory);

        artifact.Profile!.Features.Select(f => f.Name).Should().Equal(Names);
        artifact.Profile.Features[0].Count.Should().Be(400);
        artifact.Manifest.Label.Should().Be("label");
        artifact.Manifest.Metrics["sample"]["auc"].Should().BeGreaterThan(0.8);
        imported.Sample!.Labels.Should().Equal(train.Labels);
        imported.SampleSha256.Should().Be(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(sample))));
        artifact.GoldenSamples[0].Features.Select(f => f ?? float.NaN).Should().Equal(train.Row(0).ToArray(), "golden rows come from the sample");
    }

    [Fact]
    public void A_tampered_source_file_is_refused_on_load()
    {
        var (file, _) = XGBoostFile(".ubj");
        var imported = ModelImporter.Import(new ImportRequest { ModelFile = file, FeatureNames = NamesFor(file) }, Directory("artifact"));
        var source = Path.Combine(imported.Directory, "source.ubj");
        var bytes = File.ReadAllBytes(source);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(source, bytes);

        var act = () => ModelArtifact.Load(imported.Directory);
        act.Should().Throw<ArtifactException>().WithMessage("*source.ubj was altered or truncated*");
    }

    [Fact]
    public void A_manifest_whose_source_hash_disagrees_with_the_kept_file_is_refused()
    {
        var (file, _) = XGBoostFile(".json");
        var imported = ModelImporter.Import(new ImportRequest { ModelFile = file, FeatureNames = NamesFor(file) }, Directory("artifact"));
        var manifest = EditManifest(imported.Directory, m => m["source"]!["sha256"] = new string('0', 64));

        var act = () => ModelArtifact.Load(imported.Directory);
        act.Should().Throw<ArtifactException>().WithMessage("*does not hash to the source SHA-256*");
        manifest.Should().NotBeNull();
    }

    [Fact]
    public void A_manifest_written_before_imports_existed_still_loads_as_xgboost()
    {
        var train = SyntheticData.Binary(300);
        var result = XGBoostTrainer.Train(train, null, new TrainingOptions { Parameters = new() { ["objective"] = "binary:logistic" }, Rounds = 8 });
        using (result.Model)
        {
            ArtifactWriter.Write(Directory("legacy"), result, train, null, "label");
        }
        EditManifest(Directory("legacy"), m =>
        {
            m.Remove("framework");
            m.Remove("has_reference_profile");
            m.Remove("source");
            m.Remove("onnxruntime_version");
        });
        File.ReadAllText(Path.Combine(Directory("legacy"), ArtifactFiles.Manifest)).Should().NotContain("framework").And.NotContain("has_reference_profile");

        var artifact = ModelArtifact.Load(Directory("legacy"));
        artifact.Manifest.Framework.Should().BeNull();
        artifact.Manifest.EffectiveFramework.Should().Be("xgboost");
        artifact.IsTreeModel.Should().BeTrue();
        artifact.Profile.Should().NotBeNull("artifacts from before imports always carry their profile");
    }

    [Fact]
    public void A_legacy_manifest_still_refuses_a_missing_reference_profile()
    {
        var train = SyntheticData.Binary(300);
        var result = XGBoostTrainer.Train(train, null, new TrainingOptions { Parameters = new() { ["objective"] = "binary:logistic" }, Rounds = 4 });
        using (result.Model)
        {
            ArtifactWriter.Write(Directory("legacy"), result, train, null, "label");
        }
        EditManifest(Directory("legacy"), m => m.Remove("has_reference_profile"));
        File.Delete(Path.Combine(Directory("legacy"), ArtifactFiles.ReferenceProfile));

        var act = () => ModelArtifact.Load(Directory("legacy"));
        act.Should().Throw<ArtifactException>().WithMessage("*reference_profile.json is missing*");
    }

    [Fact]
    public void An_onnx_graph_becomes_an_artifact_served_by_onnx_runtime()
    {
        var sample = SyntheticData.Binary(300, seed: 3, missingRate: 0);
        var samplePath = SyntheticData.WriteCsv(sample, Path.Combine(_root, "sample.csv"));
        var imported = ModelImporter.Import(new ImportRequest { ModelFile = OnnxFile(), FeatureNames = Names, SampleFile = samplePath }, Directory("artifact"));
        var artifact = ModelArtifact.Load(imported.Directory);

        artifact.Manifest.EffectiveFramework.Should().Be("onnx");
        artifact.Manifest.Objective.Should().Be("binary:logistic", "one output in [0, 1] per row and 0/1 labels");
        imported.ObjectiveInferred.Should().BeTrue();
        artifact.Manifest.OnnxRuntimeVersion.Should().NotBeNullOrEmpty();
        artifact.Manifest.Source!.ArtifactFile.Should().Be("model.onnx");
        artifact.IsTreeModel.Should().BeFalse();
        artifact.Scorer.Should().BeOfType<OnnxScorer>();
        var explain = () => artifact.LoadXGBoost();
        explain.Should().Throw<InvalidOperationException>();

        var outputs = new float[sample.Rows];
        artifact.Scorer.PredictBatch(sample.Features, sample.Rows, outputs);
        for (var r = 0; r < sample.Rows; r++)
        {
            var margin = sample.Row(r).ToArray().Select((x, i) => (double)x * Weights[i]).Sum() + 0.2;
            outputs[r].Should().BeApproximately((float)(1 / (1 + Math.Exp(-margin))), 1e-6f);
        }
        artifact.Profile!.Prediction.Count.Should().Be(sample.Rows);
        artifact.GoldenSamples.Should().HaveCount(28).And.OnlyContain(s => s.Features.All(f => f != null), "an ONNX graph need not accept missing values");

        // Offline scoring runs it as serving does; asking for XGBoost is a usage error with a way out, not a crash.
        var output = Path.Combine(_root, "predictions.csv");
        CsvPrediction.Run(imported.Directory, samplePath, output, PredictionEngine.Compiled).Should().Be(sample.Rows);
        var withXGBoost = () => CsvPrediction.Run(imported.Directory, samplePath, output, PredictionEngine.XGBoost);
        withXGBoost.Should().Throw<ArgumentException>().WithMessage("*--engine xgboost needs an XGBoost model*onnx*");
    }

    [Fact]
    public void Onnx_golden_samples_are_checked_within_the_stated_tolerance()
    {
        var imported = ModelImporter.Import(new ImportRequest { ModelFile = OnnxFile(), FeatureNames = Names }, Directory("artifact"));
        var golden = Path.Combine(imported.Directory, ArtifactFiles.GoldenSamples);
        var original = JsonNode.Parse(File.ReadAllText(golden))!.AsArray();

        // One ulp off: another build of ONNX Runtime may round so; still served.
        RewriteGolden(imported.Directory, original, bits => bits + 1);
        ModelArtifact.Load(imported.Directory).GoldenSamples.Should().HaveCount(28);

        // 1e-3 off: a different model, refused.
        RewriteGolden(imported.Directory, original, bits => BitConverter.SingleToUInt32Bits(BitConverter.UInt32BitsToSingle(bits) + 1e-3f));
        var act = () => ModelArtifact.Load(imported.Directory);
        act.Should().Throw<ArtifactException>().WithMessage("*Golden sample 0*tolerance*will not be served*");
    }

    [Fact]
    public void A_tampered_onnx_model_is_refused_on_load()
    {
        var imported = ModelImporter.Import(new ImportRequest { ModelFile = OnnxFile(), FeatureNames = Names }, Directory("artifact"));
        var path = Path.Combine(imported.Directory, ArtifactFiles.ModelOnnx);
        var bytes = File.ReadAllBytes(path);
        bytes[^3] ^= 0x10;
        File.WriteAllBytes(path, bytes);
        var act = () => ModelArtifact.Load(imported.Directory);
        act.Should().Throw<ArtifactException>().WithMessage("*model.onnx was altered or truncated*");
    }

    [Fact]
    public void An_onnx_model_without_feature_names_is_refused_asking_for_them()
    {
        var act = () => ModelImporter.Import(new ImportRequest { ModelFile = OnnxFile() }, Directory("artifact"));
        act.Should().Throw<ImportException>().WithMessage("*stores no feature names*--features*5 names*");
    }

    [Fact]
    public void An_xgboost_model_without_stored_names_is_refused_asking_for_them()
    {
        var (file, _) = XGBoostFile(".ubj");
        var act = () => ModelImporter.Import(new ImportRequest { ModelFile = file }, Directory("artifact"));
        act.Should().Throw<ImportException>().WithMessage("trained.ubj stores no feature names: pass them in input order with --features a,b,c (5 names).");
    }

    [Fact]
    public void A_feature_name_count_that_is_not_the_model_s_is_refused()
    {
        var (file, _) = XGBoostFile(".ubj");
        var act = () => ModelImporter.Import(new ImportRequest { ModelFile = file, FeatureNames = ["a", "b"] }, Directory("artifact"));
        act.Should().Throw<ImportException>().WithMessage("2 feature names for a model that takes 5 features*");
    }

    [Fact]
    public void An_unsupported_file_type_is_refused_naming_the_supported_ones()
    {
        var path = Path.Combine(_root, "model.pkl");
        File.WriteAllBytes(path, [1, 2, 3]);
        var act = () => ModelImporter.Import(new ImportRequest { ModelFile = path }, Directory("artifact"));
        act.Should().Throw<ImportException>().WithMessage("*'.pkl' files are not supported*.json or .ubj*.onnx*");
    }

    [Fact]
    public void A_file_xgboost_cannot_read_is_refused_with_xgboost_s_reason()
    {
        var path = Path.Combine(_root, "broken.json");
        File.WriteAllText(path, "{\"learner\": 1}");
        var act = () => ModelImporter.Import(new ImportRequest { ModelFile = path }, Directory("artifact"));
        act.Should().Throw<ImportException>().WithMessage("broken.json: XGBoost cannot read it*");
    }

    [Fact]
    public void Labels_that_do_not_fit_the_objective_are_refused_naming_the_row()
    {
        var sample = SyntheticData.Binary(50, seed: 4, missingRate: 0);
        sample.Labels![7] = 2;
        var path = SyntheticData.WriteCsv(sample, Path.Combine(_root, "sample.csv"));
        var act = () => ModelImporter.Import(new ImportRequest { ModelFile = OnnxFile(), FeatureNames = Names, SampleFile = path, Objective = "binary:logistic" }, Directory("artifact"));
        act.Should().Throw<ImportException>().WithMessage("Sample row 8: label 'label' is 2; binary:logistic needs 0 or 1.");
    }

    [Fact]
    public void A_sample_with_missing_values_is_refused_for_an_onnx_graph_naming_the_cell()
    {
        var sample = SyntheticData.Binary(40, seed: 5, missingRate: 0);
        sample.Features[3 * 5 + 2] = float.NaN;
        var path = SyntheticData.WriteCsv(sample, Path.Combine(_root, "sample.csv"));
        var act = () => ModelImporter.Import(new ImportRequest { ModelFile = OnnxFile(), FeatureNames = Names, SampleFile = path }, Directory("artifact"));
        act.Should().Throw<ImportException>().WithMessage("*data row 4, column 'c': the cell is empty*ONNX*");
    }

    [Fact]
    public void A_label_column_named_but_absent_is_refused()
    {
        var sample = SyntheticData.Binary(20, missingRate: 0);
        var path = SyntheticData.WriteCsv(sample, Path.Combine(_root, "sample.csv"));
        var act = () => ModelImporter.Import(new ImportRequest { ModelFile = OnnxFile(), FeatureNames = Names, SampleFile = path, LabelColumn = "churned" }, Directory("artifact"));
        act.Should().Throw<CsvFormatException>().WithMessage("*label column 'churned' is not in the header*");
    }

    private static JsonObject EditManifest(string directory, Action<JsonObject> edit)
    {
        var path = Path.Combine(directory, ArtifactFiles.Manifest);
        var manifest = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(manifest);
        File.WriteAllText(path, manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return manifest;
    }

    /// <summary>Changes every golden output's bits and re-hashes the file, so only the golden check can object.</summary>
    private static void RewriteGolden(string directory, JsonArray original, Func<uint, uint> change)
    {
        var golden = JsonNode.Parse(original.ToJsonString())!.AsArray();
        foreach (var sample in golden)
        {
            var bits = sample!["output_bits"]!.AsArray();
            for (var i = 0; i < bits.Count; i++) bits[i] = change(bits[i]!.GetValue<uint>());
        }
        var bytes = System.Text.Encoding.UTF8.GetBytes(golden.ToJsonString());
        File.WriteAllBytes(Path.Combine(directory, ArtifactFiles.GoldenSamples), bytes);
        EditManifest(directory, m => m["files"]![ArtifactFiles.GoldenSamples] = Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    public void Dispose() => System.IO.Directory.Delete(_root, recursive: true);
}
