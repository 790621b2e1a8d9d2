using Cascade.Host;

namespace Cascade.Cli.Tests.Scoring;

/// <summary>
/// <c>cascade score --model NAME@alias</c> against an all-in-one host on free ports: the version behind the alias is
/// downloaded from the Registry and scores the file as its local artifact would; an unknown alias is the Registry's
/// NOT_FOUND, said in one line.
/// </summary>
public sealed class ScoreRegisteredModelTests(ScoringModels models) : IClassFixture<ScoringModels>, IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-cli-score-").FullName;
    private InProcessHost _host = null!;

    public async Task InitializeAsync() => _host = await InProcessHost.StartAsync(Path.Combine(_data, "host"));

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task The_champion_of_a_registered_model_scores_like_its_artifact()
    {
        var imported = await CascadeProcess.RunAsync("models", "import", "scores", "--file", Path.Combine(models.Binary.Directory, "model.json"), "--features", "a,b,c",
            "--signing-key", HostSigningKey.KeyFile(Path.Combine(_data, "host")), "--grpc", _host.Grpc);
        imported.ExitCode.Should().Be(0, imported.ToString());
        var input = Path.Combine(_data, "rows.csv");
        File.WriteAllText(input, ScoringModels.Rows(80, seed: 12, withLabel: false));
        var local = Path.Combine(_data, "local.csv");
        (await CascadeProcess.RunAsync("score", "--model", models.Binary.Directory, "--input", input, "--out", local)).ExitCode.Should().Be(0);

        var remote = Path.Combine(_data, "remote.csv");
        var score = await CascadeProcess.RunAsync("score", "--model", "scores@champion", "--input", input, "--out", remote, "--grpc", _host.Grpc);

        score.ExitCode.Should().Be(0, score.ToString());
        score.Output.Should().Contain("80 rows scored with scores v1 (scores@champion)");
        File.ReadAllText(remote).Should().Be(File.ReadAllText(local));

        var unknown = await CascadeProcess.RunAsync("score", "--model", "scores@nightly", "--input", input, "--out", remote, "--grpc", _host.Grpc);
        unknown.ExitCode.Should().Be(1, unknown.ToString());
        unknown.Error.Should().StartWith("error: NotFound").And.Contain("nightly");
    }
}
