using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Ml.Import;
using Cascade.Ml.Tests.Fixtures;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Cascade.Ml.Tests.MlNet;

/// <summary>
/// <c>cascade models import</c> of ML.NET <c>.zip</c> models: the usual pipelines (Concatenate of float columns, then a
/// FastTree or LightGbm trainer, the label mapped to keys for multi-class) become artifacts whose served predictions
/// equal ML.NET's PredictionEngine; pipelines whose outputs Cascade cannot reproduce (features computed before the
/// trees, forests, one-versus-all probability normalisation) are refused, saying why.
/// </summary>
public sealed class MlNetImportTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-mlnet-import-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_FastTree_binary_pipeline_imports_with_its_column_names_and_serves_what_the_PredictionEngine_predicts()
    {
        var context = new MLContext(seed: 1);
        var train = MlNetTables.Binary(800, seed: 81);
        var data = context.Data.LoadFromEnumerable(Rows(train, label => new BinaryInput { Label = label == 1f }));
        var pipeline = context.Transforms.Concatenate("Features", MlNetTables.Names)
            .Append(context.BinaryClassification.Trainers.FastTree(numberOfLeaves: 8, numberOfTrees: 30));
        var model = pipeline.Fit(data);
        var zip = Save(context, model, data.Schema, "fasttree-binary.zip");
        var sample = SyntheticData.WriteCsv(MlNetTables.Binary(200, seed: 82), Path.Combine(_root, "sample.csv"));

        var imported = ModelImporter.Import(new ImportRequest { ModelFile = zip, SampleFile = sample }, Path.Combine(_root, "binary"));

        imported.Manifest.Objective.Should().Be("binary:logistic");
        imported.Manifest.Framework.Should().Be(ModelFrameworks.XGBoost, "the converted trees are served by the compiled evaluator");
        imported.Manifest.FeatureNames.Should().Equal(MlNetTables.Names);
        imported.Manifest.Source!.ArtifactFile.Should().Be("source.zip");
        imported.Manifest.Parameters.Should().Contain("converted_from", "mlnet");
        var artifact = ModelArtifact.Load(imported.Directory);
        var unseen = MlNetTables.Binary(150, seed: 83);
        using var engine = context.Model.CreatePredictionEngine<BinaryInput, BinaryOutput>(model);
        var served = new float[1];
        for (var r = 0; r < unseen.Rows; r++)
        {
            artifact.Scorer.Predict(unseen.Row(r), served);
            var expected = engine.Predict(Input<BinaryInput>(unseen.Row(r))).Probability;
            served[0].Should().BeApproximately(expected, 1e-6f, $"row {r}");
        }
    }

    [Fact]
    public void A_LightGbm_multiclass_pipeline_with_labels_keyed_out_of_order_serves_class_c_in_output_c()
    {
        var context = new MLContext(seed: 1);
        var train = MlNetTables.ThreeClasses(900, seed: 84);
        // Rows of class 2 first: ML.NET numbers keys in order of appearance, so its first output is class 2.
        var order = Enumerable.Range(0, train.Rows).OrderBy(r => train.Labels![r] == 2f ? 0 : 1).ToArray();
        var data = context.Data.LoadFromEnumerable(order.Select(r => WithFeatures(new ClassInput { Label = train.Labels![r] }, train.Row(r))));
        var pipeline = context.Transforms.Conversion.MapValueToKey("Label")
            .Append(context.Transforms.Concatenate("Features", MlNetTables.Names))
            .Append(context.MulticlassClassification.Trainers.LightGbm(new Microsoft.ML.Trainers.LightGbm.LightGbmMulticlassTrainer.Options { NumberOfIterations = 25, NumberOfLeaves = 8, UseSoftmax = true }))
            .Append(context.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(data);
        var zip = Save(context, model, data.Schema, "lightgbm-multiclass.zip");

        var imported = ModelImporter.Import(new ImportRequest { ModelFile = zip }, Path.Combine(_root, "multiclass"));

        imported.Manifest.Objective.Should().Be("multi:softprob");
        imported.Manifest.OutputsPerRow.Should().Be(3);
        var artifact = ModelArtifact.Load(imported.Directory);
        using var engine = context.Model.CreatePredictionEngine<ClassInput, ClassOutput>(model);
        var slots = SlotOrder(engine);
        slots.Should().BeEquivalentTo([0, 1, 2]).And.NotEqual([0, 1, 2], "the test means to exercise a permuted class order");
        var unseen = MlNetTables.ThreeClasses(150, seed: 85);
        var served = new float[3];
        for (var r = 0; r < unseen.Rows; r++)
        {
            artifact.Scorer.Predict(unseen.Row(r), served);
            var scores = engine.Predict(WithFeatures(new ClassInput(), unseen.Row(r))).Score;
            for (var k = 0; k < 3; k++)
            {
                served[slots[k]].Should().BeApproximately(scores[k], 1e-6f, $"row {r}, ML.NET output {k} (class {slots[k]})");
            }
        }
    }

    [Fact]
    public void A_model_on_an_unnamed_feature_vector_needs_the_names_and_then_imports()
    {
        var context = new MLContext(seed: 1);
        var train = MlNetTables.Regression(600, seed: 86);
        var data = context.Data.LoadFromEnumerable(Enumerable.Range(0, train.Rows).Select(r => new VectorInput { Features = train.Row(r).ToArray(), Label = train.Labels![r] }));
        var model = context.Regression.Trainers.LightGbm(numberOfLeaves: 8, numberOfIterations: 20).Fit(data);
        var zip = Save(context, model, data.Schema, "lightgbm-regression.zip");

        var unnamed = () => ModelImporter.Import(new ImportRequest { ModelFile = zip }, Path.Combine(_root, "unnamed"));
        unnamed.Should().Throw<ImportException>().WithMessage("*stores no feature names*--features*");

        var imported = ModelImporter.Import(new ImportRequest { ModelFile = zip, FeatureNames = MlNetTables.Names }, Path.Combine(_root, "named"));
        imported.Manifest.Objective.Should().Be("reg:squarederror");
        imported.Manifest.FeatureNames.Should().Equal(MlNetTables.Names);
        ModelArtifact.Load(imported.Directory).GoldenSamples.Should().Contain(g => g.Features.Contains(null), "golden samples exercise missing values");
    }

    [Fact]
    public void Pipelines_whose_outputs_Cascade_cannot_reproduce_are_refused_saying_why()
    {
        var context = new MLContext(seed: 1);
        var train = MlNetTables.Binary(400, seed: 87);
        var data = context.Data.LoadFromEnumerable(Rows(train, label => new BinaryInput { Label = label == 1f }));
        var normalised = context.Transforms.NormalizeMinMax("x0")
            .Append(context.Transforms.Concatenate("Features", MlNetTables.Names))
            .Append(context.BinaryClassification.Trainers.FastTree(numberOfTrees: 5));
        var forest = context.Transforms.Concatenate("Features", MlNetTables.Names)
            .Append(context.BinaryClassification.Trainers.FastForest(numberOfTrees: 5));
        var classes = context.Data.LoadFromEnumerable(Rows(MlNetTables.ThreeClasses(400, seed: 88), label => new ClassInput { Label = label }));
        // LightGbm below 50,000 rows picks one-versus-all unless told to use softmax.
        var oneVersusAll = context.Transforms.Conversion.MapValueToKey("Label")
            .Append(context.Transforms.Concatenate("Features", MlNetTables.Names))
            .Append(context.MulticlassClassification.Trainers.LightGbm(numberOfIterations: 5));

        Refusal(Save(context, normalised.Fit(data), data.Schema, "normalised.zip")).Should().Contain("computes feature column(s) x0").And.Contain("NormalizingTransformer");
        Refusal(Save(context, forest.Fit(data), data.Schema, "forest.zip")).Should().Contain("FastForest").And.Contain("a forest averages its trees");
        Refusal(Save(context, oneVersusAll.Fit(classes), classes.Schema, "ova.zip")).Should().Contain("ProbabilityNormalization").And.Contain("UseSoftmax = true");
        File.WriteAllText(Path.Combine(_root, "not-a-model.zip"), "plain text");
        Refusal(Path.Combine(_root, "not-a-model.zip")).Should().Contain("ML.NET cannot load it");
    }

    private string Refusal(string zip)
    {
        var import = () => ModelImporter.Import(new ImportRequest { ModelFile = zip }, Path.Combine(_root, Path.GetFileNameWithoutExtension(zip)));
        return import.Should().Throw<ImportException>().Which.Message;
    }

    private string Save(MLContext context, ITransformer model, DataViewSchema schema, string name)
    {
        var path = Path.Combine(_root, name);
        context.Model.Save(model, schema, path);
        return path;
    }

    private static int[] SlotOrder(PredictionEngine<ClassInput, ClassOutput> engine)
    {
        VBuffer<float> labels = default;
        engine.OutputSchema["Score"].Annotations.GetValue("TrainingLabelValues", ref labels);
        return labels.DenseValues().Select(v => (int)v).ToArray();
    }

    private static IEnumerable<T> Rows<T>(TabularData table, Func<float, T> make) where T : FeatureColumns =>
        Enumerable.Range(0, table.Rows).Select(r => WithFeatures(make(table.Labels![r]), table.Row(r)));

    private static T Input<T>(ReadOnlySpan<float> row) where T : FeatureColumns, new() => WithFeatures(new T(), row);

    private static T WithFeatures<T>(T input, ReadOnlySpan<float> row) where T : FeatureColumns
    {
        (input.x0, input.x1, input.x2, input.x3, input.x4, input.x5) = (row[0], row[1], row[2], row[3], row[4], row[5]);
        return input;
    }

#pragma warning disable IDE1006 // ML.NET takes the column names from the member names.
    public abstract class FeatureColumns
    {
        public float x0 { get; set; }
        public float x1 { get; set; }
        public float x2 { get; set; }
        public float x3 { get; set; }
        public float x4 { get; set; }
        public float x5 { get; set; }
    }
#pragma warning restore IDE1006

    public sealed class BinaryInput : FeatureColumns
    {
        public bool Label { get; set; }
    }

    public sealed class ClassInput : FeatureColumns
    {
        public float Label { get; set; }
    }

    public sealed class VectorInput
    {
        [VectorType(6)]
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    public sealed class BinaryOutput
    {
        public float Probability { get; set; }
    }

    public sealed class ClassOutput
    {
        public float[] Score { get; set; } = [];
    }
}
