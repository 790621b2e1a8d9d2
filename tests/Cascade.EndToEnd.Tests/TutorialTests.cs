using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Cascade.Contracts.Monitoring.V1;
using Cascade.Contracts.Registry.V1;
using Cascade.Contracts.Serving.V1;
using Cascade.Contracts.Training.V1;

namespace Cascade.EndToEnd.Tests;

/// <summary>
/// docs/tutorial.md is a test: every ```sh block marked <c>&lt;!-- tutorial:run --&gt;</c> is run, in order and unchanged,
/// by one bash (<c>set -euo pipefail</c>) in a scratch folder holding docs/tutorial/ and a <c>./cascade</c> that runs
/// the CLI as the other CLI tests do, against an all-in-one host on free ports: the test only sets <c>GRPC</c> and
/// <c>HTTP</c>, which the tutorial's first block defaults. A failing command fails the test (naming its block), and
/// so does a promise of the tutorial not kept: the first model trained on 500 labeled rows and answering OIP, clinic
/// B's 300 rows training nothing, its 569 requests raising a critical drift alert, the drift retrain beating v1 on
/// the same holdout and answering in its place.
/// </summary>
public sealed class TutorialTests : IAsyncLifetime
{
    private const string Marker = "<!-- tutorial:run -->";
    private const string BlockStart = "::tutorial-block ";

    private readonly string _scratch = Directory.CreateTempSubdirectory("cascade-tutorial-").FullName;
    private InProcessHost _host = null!;

    private static string Root { get; } = FindRoot();

    public async Task InitializeAsync() => _host = await InProcessHost.StartAsync(Path.Combine(_scratch, "host"));

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_scratch, recursive: true);
    }

    /// <summary>A block of the tutorial to run: its commands and the line of its opening fence.</summary>
    public sealed record Block(int Line, string Commands);

    /// <summary>The ```sh blocks right after a marker line, in document order; a marker not followed by one is an error.</summary>
    public static IReadOnlyList<Block> RunnableBlocks(string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n").Split('\n');
        var blocks = new List<Block>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != Marker) continue;
            var fence = i + 1;
            if (fence >= lines.Length || lines[fence].Trim() != "```sh")
            {
                throw new FormatException($"docs/tutorial.md:{i + 1}: {Marker} must be followed at once by a ```sh block.");
            }
            var end = Array.FindIndex(lines, fence + 1, l => l.Trim() == "```");
            if (end < 0) throw new FormatException($"docs/tutorial.md:{fence + 1}: the ```sh block is never closed.");
            blocks.Add(new Block(fence + 1, string.Join('\n', lines[(fence + 1)..end])));
            i = end;
        }
        return blocks;
    }

    [Fact]
    public void Every_marker_precedes_a_sh_block_and_the_tutorial_has_its_steps()
    {
        var blocks = RunnableBlocks(File.ReadAllText(Path.Combine(Root, "docs", "tutorial.md")));
        blocks.Should().HaveCountGreaterThanOrEqualTo(8);
        blocks[0].Commands.Should().Contain("GRPC=${GRPC:-").And.Contain("HTTP=${HTTP:-", "the first block lets the test point every later command at its host");
        RunnableBlocks("text\n<!-- tutorial:run -->\n```sh\necho a\n```\n```sh\necho not marked\n```\n").Should().Equal(new Block(3, "echo a"));
        var stray = () => RunnableBlocks("<!-- tutorial:run -->\n\n```sh\necho a\n```\n");
        stray.Should().Throw<FormatException>().WithMessage("*:1: * must be followed at once by a ```sh block.");
    }

    [Fact]
    public async Task The_tutorial_takes_a_csv_file_to_a_served_monitored_model_that_retrains_on_drift()
    {
        var blocks = RunnableBlocks(File.ReadAllText(Path.Combine(Root, "docs", "tutorial.md")));
        var outputs = await RunAsync(blocks);

        string Output(string command)
        {
            var index = blocks.Select((b, i) => (b, i)).Where(x => x.b.Commands.Contains(command, StringComparison.Ordinal)).Select(x => x.i).ToList();
            index.Should().HaveCount(1, $"one block of the tutorial runs '{command}'");
            return outputs[index[0]];
        }

        Output("prepare.py").Should().Contain("tumors.csv: 500 cases of clinic A").And.Contain("clinic-b.csv: 300 diagnosed cases").And.Contain("all 569 cases of clinic B");
        Output("apply -f docs/tutorial/tumors.yaml").Should().Contain("applied: 3 created, 0 updated, 0 unchanged.");
        Output("--file out/tutorial/tumors.csv").Should().Contain("500 rows read, 500 accepted, 0 duplicates, 0 invalid");
        Output("models wait tumors --grpc").Should().Contain("queued (LabeledRows): 500 labeled rows (every 500)")
            .And.Contain("succeeded: v1 promoted").And.Contain("tumors v1 is champion, served and monitored");
        Output("CASES='").Should().Contain("\"model_name\":\"tumors\",\"model_version\":\"1\"").And.Contain("\"shape\":[4]");
        Output("--file out/tutorial/clinic-b.csv").Should().Contain("300 rows read, 300 accepted, 0 duplicates, 0 invalid");
        Output("clinic-b-requests.json").Should().Contain("\"model_name\":\"tumors\",\"model_version\":\"1\",\"id\":\"clinic-b\"").And.Contain("\"shape\":[569]");
        Output("models wait tumors --version 2").Should().Contain("queued (Drift): drift:").And.Contain("succeeded: v2 promoted")
            .And.Contain("tumors v2 is champion, served and monitored");
        // Tables are 80 columns wide when redirected, their cells wrapped: short words only, the host says the rest (below).
        Output("alerts list").Should().Contain("CRITICAL");
        Output("models show tumors").Should().Contain("Drift").And.Contain("Promoted").And.Contain("beats");
        Output("alerts health tumors").Should().Contain("tumors v2:");
        outputs.Last(o => o.Contains("\"model_name\"", StringComparison.Ordinal)).Should().Contain("\"model_name\":\"tumors\",\"model_version\":\"2\"", "the drift retrain answers once promoted");

        // What the tutorial says happened, read from the host itself.
        var jobs = (await new Cascade.Contracts.Training.V1.Training.TrainingClient(_host.Channel).ListJobsAsync(new ListJobsRequest { Model = "tumors" })).Jobs.OrderBy(j => j.Status.QueuedAt.ToDateTimeOffset()).ToList();
        jobs.Select(j => (j.Spec.Trigger, j.Status.State, j.Status.ModelVersion, j.Status.Promoted)).Should().Equal(
            [(TriggerKind.LabeledRows, JobState.Succeeded, 1, true), (TriggerKind.Drift, JobState.Succeeded, 2, true)],
            "clinic A's 500 rows train v1, clinic B's 300 train nothing on their own, the drift alert trains v2");
        jobs[1].Spec.AlertIds.Should().NotBeEmpty();

        var alerts = (await new Cascade.Contracts.Monitoring.V1.Monitoring.MonitoringClient(_host.Channel).ListAlertsAsync(new ListAlertsRequest { Model = "tumors" })).Alerts;
        alerts.Should().Contain(a => a.Version == 1 && a.Kind == Cascade.Contracts.Events.V1.DriftKind.Feature && a.Severity == Cascade.Contracts.Events.V1.Severity.Critical,
            "2 + 569 rows in two OIP requests are 571 predictions, enough to fill Monitoring's window of 500");
        alerts.Select(a => a.AlertId).Should().Contain(jobs[1].Spec.AlertIds);

        var model = await new Cascade.Contracts.Registry.V1.Registry.RegistryClient(_host.Channel).GetModelAsync(new GetModelRequest { Name = "tumors" });
        model.ChampionVersion.Should().Be(2);
        var audit = await new Cascade.Contracts.Registry.V1.Registry.RegistryClient(_host.Channel).GetAuditLogAsync(new GetAuditLogRequest { Model = "tumors" });
        audit.Entries.Should().Contain(e => e.Action == "Promoted" && e.FromVersion == 1 && e.ToVersion == 2 && e.Reason.StartsWith("beats champion v1 on the same holdout", StringComparison.Ordinal));
        (await new Cascade.Contracts.Serving.V1.Serving.ServingClient(_host.Channel).GetServingStatusAsync(new GetServingStatusRequest())).Models.Should().Contain(m => m.Model == "tumors" && m.Version == 2);
    }

    /// <summary>Runs the blocks in one bash, in order; returns each block's standard output, or fails naming the block that failed.</summary>
    private async Task<string[]> RunAsync(IReadOnlyList<Block> blocks)
    {
        var work = Path.Combine(_scratch, "work");
        CopyDirectory(Path.Combine(Root, "docs", "tutorial"), Path.Combine(work, "docs", "tutorial"));
        var cascade = Path.Combine(work, "cascade");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        await File.WriteAllTextAsync(cascade, $"#!/bin/sh\n# The CLI as the repository's ./cascade runs it, without building: the tests built it.\nexport CASCADE_REPO_ROOT='{Root}'\nexec '{dotnet}' '{CliDll()}' \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(cascade, File.GetUnixFileMode(cascade) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);

        var script = new StringBuilder("set -euo pipefail\n");
        for (var i = 0; i < blocks.Count; i++)
        {
            script.Append($"printf '\\n{BlockStart}{i}::\\n'\n").Append(blocks[i].Commands).Append('\n');
        }
        script.Append($"printf '\\n{BlockStart}end::\\n'\n");
        var path = Path.Combine(_scratch, "tutorial.sh");
        await File.WriteAllTextAsync(path, script.ToString());

        var start = new ProcessStartInfo("bash", [path]) { WorkingDirectory = work, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["GRPC"] = _host.Grpc;
        start.Environment["HTTP"] = _host.Http;
        start.Environment["PATH"] = $"{work}:{Environment.GetEnvironmentVariable("PATH")}";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        var output = await stdout;
        var parts = Regex.Split(output, $@"\n{Regex.Escape(BlockStart)}(\d+|end)::\n");
        var reached = parts.Length > 1 ? parts[^2] : "none";
        if (timedOut || process.ExitCode != 0 || reached != "end")
        {
            var block = int.TryParse(reached, out var index) ? blocks[index] : null;
            var what = timedOut ? "did not finish within 150 s" : $"exited with {process.ExitCode}";
            throw new Xunit.Sdk.XunitException(
                $"The tutorial {what} in block {reached}" + (block is null ? "" : $" (docs/tutorial.md:{block.Line}):\n{block.Commands}") +
                $"\n--- its output\n{parts[^1]}\n--- stderr\n{await stderr}");
        }
        return [.. Enumerable.Range(0, blocks.Count).Select(i => parts[2 + (2 * i)])];
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var directory in Directory.GetDirectories(from)) CopyDirectory(directory, Path.Combine(to, Path.GetFileName(directory)));
    }

    /// <summary><c>services/Cli/bin/&lt;configuration&gt;/&lt;tfm&gt;/cascade.dll</c>, built with these tests (as <see cref="Fixtures.CascadeCli"/> runs it).</summary>
    private static string CliDll()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var dll = Path.Combine(Root, "services", "Cli", "bin", output.Parent!.Name, output.Name, "cascade.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"The CLI is not built at {dll}: build services/Cli/Cascade.Cli.csproj first.");
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Microservices.sln"))) return directory.FullName;
        }
        throw new DirectoryNotFoundException($"No Microservices.sln above {AppContext.BaseDirectory}.");
    }
}
