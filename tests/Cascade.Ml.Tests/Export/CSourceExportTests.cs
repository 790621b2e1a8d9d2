using System.Text.RegularExpressions;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Export;

namespace Cascade.Ml.Tests.Export;

/// <summary><c>cascade export --format c</c>: the generated file compiled with gcc and run against the compiled evaluator, bit for bit.</summary>
public sealed partial class CSourceExportTests(ExportModels models) : IClassFixture<ExportModels>
{
    [Theory]
    [InlineData("binary", 1)]
    [InlineData("regression", 1)]
    [InlineData("multiclass", 4)]
    public void The_compiled_export_is_bit_identical_to_the_evaluator(string objective, int outputs)
    {
        var artifact = models[objective];
        var work = Directory.CreateDirectory(Path.Combine(models.Root, "c-" + objective)).FullName;
        var source = Path.Combine(work, "model.c");
        ModelExporter.Export(artifact.Directory, ExportFormat.C, source);
        var compiled = CompiledC.Build(source, work);

        // Golden samples, random rows with 15% missing, a row of nothing but NaN, and the signed zeros and infinities.
        var rows = ExportModels.GoldenRows(artifact)
            .Concat(ExportModels.RandomRows(3000, seed: 21))
            .Concat(Enumerable.Repeat(float.NaN, ExportModels.Features))
            .Concat([-0f, 0f, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, float.Epsilon])
            .ToArray();
        var (features, declaredOutputs, actual) = compiled.Predict(rows);

        features.Should().Be(ExportModels.Features);
        declaredOutputs.Should().Be(outputs);
        var count = rows.Length / ExportModels.Features;
        var expected = new float[count * outputs];
        artifact.Compiled.PredictBatch(rows, count, expected);
        actual.Should().HaveCount(expected.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            BitConverter.SingleToUInt32Bits(actual[i]).Should().Be(BitConverter.SingleToUInt32Bits(expected[i]),
                $"row {i / outputs}, output {i % outputs}: C gives {actual[i]:R}, the evaluator {expected[i]:R}");
        }
        expected.Distinct().Should().HaveCountGreaterThan(100, "the rows reach many different leaves");
    }

    [Fact]
    public void The_file_includes_nothing_but_math_h_and_defines_the_three_functions()
    {
        var path = Path.Combine(models.Root, "binary-includes.c");
        ModelExporter.Export(models.Binary.Directory, ExportFormat.C, path);
        var source = File.ReadAllText(path);

        Include().Matches(source).Select(m => m.Value.Trim()).Should().Equal("#include <math.h>");
        source.Should().Contain("int cascade_model_features(void) {")
            .And.Contain("int cascade_model_outputs(void) {")
            .And.Contain("void cascade_model_predict(const float *row, float *out)\n{");
        source.Should().Contain("row[0] = x0", "the comment documents the row layout by feature name");
    }

    [Theory]
    [InlineData(0.5f, "0.5f")]
    [InlineData(3f, "3.0f")]
    [InlineData(-0f, "-0.0f")]
    [InlineData(1e-5f, "1E-05f")]
    [InlineData(16777216f, "16777216.0f")]
    [InlineData(float.PositiveInfinity, "INFINITY")]
    public void Float_literals_read_back_as_the_same_float(float value, string literal)
    {
        CSourceExport.FloatLiteral(value).Should().Be(literal);
    }

    [Fact]
    public void Every_threshold_and_leaf_is_written_so_that_it_reads_back_exactly()
    {
        var random = new Random(3);
        for (var i = 0; i < 20_000; i++)
        {
            var value = BitConverter.Int32BitsToSingle(random.Next(int.MinValue, int.MaxValue));
            if (!float.IsFinite(value)) continue;
            var literal = CSourceExport.FloatLiteral(value);
            literal.Should().EndWith("f").And.MatchRegex(@"^-?\d+(\.\d+)?(E[+-]\d+)?f$|^-?\d+\.\d+f$");
            float.Parse(literal[..^1], System.Globalization.CultureInfo.InvariantCulture).Should().Be(value);
        }
    }

    [GeneratedRegex(@"^\s*#\s*include.*$", RegexOptions.Multiline)]
    private static partial Regex Include();
}
