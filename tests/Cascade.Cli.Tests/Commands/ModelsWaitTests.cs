using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Cascade.Contracts.Monitoring.V1;
using Cascade.Contracts.Serving.V1;
using Cascade.Host;

namespace Cascade.Cli.Tests.Commands;

/// <summary>
/// <c>cascade models wait</c>, the real command line against an all-in-one host on free ports: it waits while a model
/// has no champion and returns once a champion (here a model trained by <c>cascade train</c> and imported) is served
/// and monitored; a version not reached, a bad timeout and an unreachable host end with their exit codes and reasons.
/// The tutorial's test (tests/Cascade.EndToEnd.Tests/TutorialTests.cs) covers the training jobs it prints.
/// </summary>
public sealed class ModelsWaitTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-cli-wait-").FullName;
    private InProcessHost _host = null!;

    public async Task InitializeAsync() => _host = await InProcessHost.StartAsync(Path.Combine(_data, "host"));

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task It_waits_until_the_champion_is_served_and_monitored_and_times_out_saying_what_it_saw()
    {
        var none = await CascadeProcess.RunAsync("models", "wait", "scores", "--timeout", "1s", "--grpc", _host.Grpc);
        none.ExitCode.Should().Be(1, none.ToString());
        none.Error.Should().Contain("error: timed out after 1s waiting for scores v1 or later: no champion yet.");

        var model = await TrainAsync();
        var waiting = CascadeProcess.RunAsync("models", "wait", "scores", "--timeout", "90s", "--grpc", _host.Grpc);
        // Fails as soon as the command returns early, rather than after a fixed sleep.
        (await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(1)))).Should().NotBeSameAs(waiting, "there is no champion to wait for yet");
        var imported = await CascadeProcess.RunAsync("models", "import", "scores", "--file", model, "--features", "a,b,c", "--signing-key", HostSigningKey.KeyFile(Path.Combine(_data, "host")), "--grpc", _host.Grpc);
        imported.ExitCode.Should().Be(0, imported.ToString());

        var waited = await waiting;
        waited.ExitCode.Should().Be(0, waited.ToString());
        waited.Output.Should().Contain("waiting for scores v1 or later to be champion, served and monitored (up to 1m30s)").And.Contain("scores v1 is champion, served and monitored");
        (await new Cascade.Contracts.Serving.V1.Serving.ServingClient(_host.Channel).GetServingStatusAsync(new GetServingStatusRequest())).Models.Should().Contain(m => m.Model == "scores" && m.Version == 1);
        (await new Cascade.Contracts.Monitoring.V1.Monitoring.MonitoringClient(_host.Channel).GetModelHealthAsync(new GetModelHealthRequest { Model = "scores" })).Version.Should().Be(1);

        var again = await CascadeProcess.RunAsync("models", "wait", "scores", "--grpc", _host.Grpc);
        again.ExitCode.Should().Be(0, again.ToString());
        again.Output.Should().Contain("scores v1 is champion, served and monitored");

        var later = await CascadeProcess.RunAsync("models", "wait", "scores", "--version", "2", "--timeout", "1s", "--grpc", _host.Grpc);
        later.ExitCode.Should().Be(1, later.ToString());
        later.Error.Should().Contain("waiting for scores v2 or later: the champion is v1.");
    }

    [Fact]
    public async Task A_bad_timeout_is_a_usage_error_and_an_unreachable_host_says_so()
    {
        var bad = await CascadeProcess.RunAsync("models", "wait", "scores", "--timeout", "soon", "--grpc", _host.Grpc);
        bad.ExitCode.Should().Be(2, bad.ToString());
        bad.Error.Should().Contain("--timeout must be a duration such as 90s").And.Contain("got 'soon'");

        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var unreachable = await CascadeProcess.RunAsync("models", "wait", "scores", "--grpc", $"http://127.0.0.1:{port}");
        unreachable.ExitCode.Should().Be(1, unreachable.ToString());
        unreachable.Error.Should().Contain("Unavailable").And.Contain("is the host running?");
    }

    /// <summary>A small XGBoost model trained by <c>cascade train</c>; returns its model.json.</summary>
    private async Task<string> TrainAsync()
    {
        var random = new Random(5);
        var csv = new StringBuilder("a,b,c,label\n");
        for (var i = 0; i < 300; i++)
        {
            var (a, b, c) = (random.NextDouble(), random.NextDouble(), random.NextDouble());
            csv.Append(string.Create(CultureInfo.InvariantCulture, $"{a},{b},{c},{(a + (0.5 * b) > 0.8 ? 1 : 0)}\n"));
        }
        var data = Path.Combine(_data, "train.csv");
        await File.WriteAllTextAsync(data, csv.ToString());
        var output = Path.Combine(_data, "model");
        var trained = await CascadeProcess.RunAsync("train", "--csv", data, "--label", "label", "--out", output, "--rounds", "10", "--param", "objective=binary:logistic");
        trained.ExitCode.Should().Be(0, trained.ToString());
        return Path.Combine(output, "model.json");
    }
}
