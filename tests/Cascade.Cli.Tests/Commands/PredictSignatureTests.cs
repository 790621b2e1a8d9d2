using System.Globalization;
using System.Text;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Signing;

namespace Cascade.Cli.Tests.Commands;

/// <summary>
/// <c>cascade predict</c> verifies an artifact's hashes as Serving does, and reports its signature without requiring
/// one: unsigned (as <c>cascade train</c> writes it), signed by which key, or invalid.
/// </summary>
public sealed class PredictSignatureTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-cli-predict-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Csv()
    {
        var random = new Random(9);
        var csv = new StringBuilder("a,b,label\n");
        for (var i = 0; i < 200; i++)
        {
            var (a, b) = (random.NextDouble(), random.NextDouble());
            csv.Append(string.Create(CultureInfo.InvariantCulture, $"{a},{b},{(a > b ? 1 : 0)}\n"));
        }
        var path = Path.Combine(_root, "rows.csv");
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    private Task<CascadeProcess.Result> PredictAsync(string model, string csv) =>
        CascadeProcess.RunAsync("predict", "--model", model, "--csv", csv, "--out", Path.Combine(_root, "predictions.csv"));

    [Fact]
    public async Task Predict_reports_the_signature_and_refuses_only_files_that_do_not_match_the_manifest()
    {
        var csv = Csv();
        var model = Path.Combine(_root, "model");
        var trained = await CascadeProcess.RunAsync("train", "--csv", csv, "--label", "label", "--out", model, "--rounds", "5", "--param", "objective=binary:logistic");
        trained.ExitCode.Should().Be(0, trained.ToString());

        var unsigned = await PredictAsync(model, csv);
        unsigned.ExitCode.Should().Be(0, unsigned.ToString());
        unsigned.Output.Should().Contain("200 predictions").And.Contain("signature: unsigned");

        using var key = SigningKey.Create();
        ManifestSigning.SignDirectory(model, key);
        var signed = await PredictAsync(model, csv);
        signed.ExitCode.Should().Be(0, signed.ToString());
        signed.Output.Should().Contain($"signature: signed by key {key.KeyId} (the signature verifies");

        File.AppendAllText(Path.Combine(model, ArtifactFiles.Manifest), "\n");
        var invalid = await PredictAsync(model, csv);
        invalid.ExitCode.Should().Be(0, "offline, a signature is reported, not required: " + invalid);
        invalid.Output.Should().Contain("signature: invalid signature").And.Contain("altered after it was signed");

        File.AppendAllText(Path.Combine(model, ArtifactFiles.ModelJson), " ");
        var tampered = await PredictAsync(model, csv);
        tampered.ExitCode.Should().Be(1, "the hashes are verified as before");
        tampered.Error.Should().Contain("model.json was altered or truncated");
    }
}
