using Cascade.Cli.Tests.Scoring;

namespace Cascade.Cli.Tests.Export;

/// <summary>The real <c>cascade export</c> and <c>cascade score</c> command lines: what they print, write and refuse.</summary>
public sealed class ExportAndScoreCommandTests(ScoringModels models) : IClassFixture<ScoringModels>, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-cli-export-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Export_writes_onnx_checked_against_the_evaluator_and_c_source()
    {
        var onnx = Path.Combine(_root, "model.onnx");
        var exported = await CascadeProcess.RunAsync("export", "--model", models.Binary.Directory, "--format", "onnx", "--out", onnx);
        exported.ExitCode.Should().Be(0, exported.ToString());
        exported.Output.Should().Contain("15 trees").And.Contain($"ONNX Runtime agrees with the evaluator on {models.Binary.GoldenSamples.Count} golden samples");
        File.Exists(onnx).Should().BeTrue();

        var c = Path.Combine(_root, "model.c");
        var source = await CascadeProcess.RunAsync("export", "--model", models.Binary.Directory, "--format", "c", "--out", c);
        source.ExitCode.Should().Be(0, source.ToString());
        File.ReadAllText(c).Should().Contain("void cascade_model_predict(const float *row, float *out)");
    }

    [Fact]
    public async Task Export_refuses_an_unknown_format_and_a_directory_that_is_not_an_artifact()
    {
        var format = await CascadeProcess.RunAsync("export", "--model", models.Binary.Directory, "--format", "pmml", "--out", Path.Combine(_root, "x"));
        format.ExitCode.Should().NotBe(0);
        (format.Output + format.Error).Should().Contain("pmml").And.Contain("onnx").And.Contain("c");

        var missing = await CascadeProcess.RunAsync("export", "--model", _root, "--format", "c", "--out", Path.Combine(_root, "x.c"));
        missing.ExitCode.Should().Be(1, missing.ToString());
        missing.Error.Should().Contain("is not a model artifact: manifest.json is missing");
    }

    [Fact]
    public async Task Score_writes_what_predict_writes_and_names_a_missing_column()
    {
        var input = Path.Combine(_root, "rows.csv");
        File.WriteAllText(input, ScoringModels.Rows(120, seed: 3, withLabel: false));
        var predicted = Path.Combine(_root, "predicted.csv");
        var predict = await CascadeProcess.RunAsync("predict", "--model", models.Multiclass.Directory, "--csv", input, "--out", predicted);
        predict.ExitCode.Should().Be(0, predict.ToString());

        var scores = Path.Combine(_root, "scores.csv");
        var score = await CascadeProcess.RunAsync("score", "--model", models.Multiclass.Directory, "--input", input, "--out", scores);

        score.ExitCode.Should().Be(0, score.ToString());
        score.Output.Should().Contain("120 rows scored with multiclass");
        File.ReadAllText(scores).Should().Be(File.ReadAllText(predicted));

        File.WriteAllText(input, "a,c\n1,2\n");
        var refused = await CascadeProcess.RunAsync("score", "--model", models.Multiclass.Directory, "--input", input, "--out", scores);
        refused.ExitCode.Should().Be(1, refused.ToString());
        refused.Error.Should().Contain("the model needs column(s) b, which the file lacks");
    }

    [Fact]
    public async Task Score_says_how_to_name_a_registered_model_when_the_directory_does_not_exist()
    {
        var input = Path.Combine(_root, "rows.csv");
        File.WriteAllText(input, "a,b,c\n1,2,3\n");

        var score = await CascadeProcess.RunAsync("score", "--model", Path.Combine(_root, "nowhere"), "--input", input, "--out", Path.Combine(_root, "s.csv"));

        score.ExitCode.Should().Be(1, score.ToString());
        score.Error.Should().Contain("no such artifact directory").And.Contain("NAME@alias");
    }
}
