using System.Globalization;
using System.Text;
using Cascade.Contracts.Serving.V1;
using Cascade.Contracts.Training.V1;
using Cascade.Host;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Cascade.Cli.Tests.MlNet;

/// <summary>
/// One model served by an all-in-one host on free ports, its versions from different engines: XGBoost (trained by
/// <c>cascade train</c>), then an ML.NET FastTree <c>.zip</c>, then XGBoost again, each imported with <c>--force</c>;
/// Serving hot-swaps between them and answers what each engine computes. A training policy carries its trainer.
/// </summary>
public sealed class MlNetServingSwapTests : IAsyncLifetime
{
    private const string Model = "engines";
    private static readonly string[] Names = ["a", "b", "c"];
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-cli-engines-").FullName;
    private InProcessHost _host = null!;

    public async Task InitializeAsync() => _host = await InProcessHost.StartAsync(Path.Combine(_data, "host"));

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task Serving_swaps_from_xgboost_to_an_mlnet_model_and_back_answering_as_each_engine_does()
    {
        var (csv, rows) = WriteRows();
        var xgboost = await TrainXGBoostAsync(csv);
        var (zip, mlnet) = TrainFastTree(rows);
        var probe = new[] { 0.8f, 0.1f, 0.5f };
        var serving = new Cascade.Contracts.Serving.V1.Serving.ServingClient(_host.Channel);

        (await ImportAsync(xgboost)).Should().Contain("as v1: xgboost");
        var first = await ServedAsync(serving, 1, probe);

        (await ImportAsync(zip, "--force")).Should().Contain("as v2").And.Contain("champion: v2");
        var second = await ServedAsync(serving, 2, probe);
        second.Should().BeApproximately(mlnet(probe), 1e-6f, "Serving answers what ML.NET's PredictionEngine computes");
        second.Should().NotBe(first, "the two engines' models differ");

        (await ImportAsync(xgboost, "--force")).Should().Contain("as v3").And.Contain("champion: v3");
        (await ServedAsync(serving, 3, probe)).Should().Be(first, "the same XGBoost trees answer bit for bit");
    }

    [Fact]
    public async Task A_training_policy_keeps_its_trainer_and_is_refused_with_a_parameter_the_trainer_lacks()
    {
        var training = new Cascade.Contracts.Training.V1.Training.TrainingClient(_host.Channel);
        var spec = new TrainingPolicySpec
        {
            Model = "policy-engines", Dataset = "d", FeatureView = "v", Objective = "binary:logistic", Trainer = "mlnet-fasttree",
            Rounds = 50, HoldoutFraction = 0.2, Parameters = { ["max_depth"] = "4", ["eta"] = "0.1" },
        };
        var preview = await training.PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = spec, ValidateOnly = true });
        preview.Spec.Trainer.Should().Be("mlnet-fasttree");

        spec.Parameters["gamma"] = "1";
        var refused = async () => await training.PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = spec, ValidateOnly = true });
        (await refused.Should().ThrowAsync<Grpc.Core.RpcException>()).Which.Status.Detail.Should().Contain("Parameter 'gamma' has no counterpart in the mlnet-fasttree trainer");

        spec.Parameters.Remove("gamma");
        spec.Trainer = "catboost";
        (await refused.Should().ThrowAsync<Grpc.Core.RpcException>()).Which.Status.Detail.Should().Contain("Unknown trainer 'catboost'");
    }

    private async Task<string> ImportAsync(string file, params string[] options)
    {
        var imported = await CascadeProcess.RunAsync(["models", "import", Model, "--file", file, "--features", string.Join(',', Names), .. options,
            "--signing-key", HostSigningKey.KeyFile(Path.Combine(_data, "host")), "--grpc", _host.Grpc]);
        imported.ExitCode.Should().Be(0, imported.ToString());
        return imported.Output;
    }

    /// <summary>Waits until Serving answers with <paramref name="version"/>, and returns its output for <paramref name="row"/>.</summary>
    private static async Task<float> ServedAsync(Cascade.Contracts.Serving.V1.Serving.ServingClient serving, int version, float[] row)
    {
        var response = await Eventually.WaitForAsync(
            async () =>
            {
                try
                {
                    return await serving.PredictAsync(new PredictRequest { Model = Model, Features = new FeatureVector { Values = { row } } });
                }
                catch (Grpc.Core.RpcException)
                {
                    return null;
                }
            },
            r => r?.Version == version,
            $"Serving answers with {Model} v{version}");
        return response!.Outputs.Single();
    }

    private (string Csv, float[][] Rows) WriteRows()
    {
        var random = new Random(23);
        var rows = new float[400][];
        var csv = new StringBuilder("a,b,c,label\n");
        for (var i = 0; i < rows.Length; i++)
        {
            var (a, b, c) = ((float)random.NextDouble(), (float)random.NextDouble(), (float)random.NextDouble());
            var label = a - 0.6f * b + 0.3f * c + 0.3f * (float)(random.NextDouble() - 0.5) > 0.35f ? 1f : 0f;
            rows[i] = [a, b, c, label];
            csv.Append(string.Create(CultureInfo.InvariantCulture, $"{a:R},{b:R},{c:R},{label}\n"));
        }
        var path = Path.Combine(_data, "rows.csv");
        File.WriteAllText(path, csv.ToString());
        return (path, rows);
    }

    private async Task<string> TrainXGBoostAsync(string csv)
    {
        var output = Path.Combine(_data, "xgboost");
        var trained = await CascadeProcess.RunAsync("train", "--csv", csv, "--label", "label", "--out", output, "--rounds", "15", "--param", "objective=binary:logistic");
        trained.ExitCode.Should().Be(0, trained.ToString());
        return Path.Combine(output, "model.json");
    }

    /// <summary>A FastTree pipeline as an ML.NET user would write it, saved as a .zip, and its PredictionEngine.</summary>
    private (string Zip, Func<float[], float> Predict) TrainFastTree(float[][] rows)
    {
        var context = new MLContext(seed: 3);
        var data = context.Data.LoadFromEnumerable(rows.Select(r => new Input { A = r[0], B = r[1], C = r[2], Label = r[3] == 1f }));
        var model = context.Transforms.Concatenate("Features", "A", "B", "C")
            .Append(context.BinaryClassification.Trainers.FastTree(numberOfLeaves: 8, numberOfTrees: 20)).Fit(data);
        var zip = Path.Combine(_data, "fasttree.zip");
        context.Model.Save(model, data.Schema, zip);
        var engine = context.Model.CreatePredictionEngine<Input, Output>(model);
        return (zip, row => engine.Predict(new Input { A = row[0], B = row[1], C = row[2] }).Probability);
    }

    private sealed class Input
    {
        public float A { get; set; }
        public float B { get; set; }
        public float C { get; set; }
        public bool Label { get; set; }
    }

    private sealed class Output
    {
        public float Probability { get; set; }
    }
}
