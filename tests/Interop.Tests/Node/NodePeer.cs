using System.Diagnostics;
using System.Text.Json;

namespace Cascade.Interop.Tests.Node;

/// <summary>Runs the grpc-js scripts in <c>tests/Interop.Tests/node</c> (installed by <c>test.sh</c> with npm).</summary>
internal static class NodePeer
{
    public static string ScriptDirectory { get; } = FindScriptDirectory();

    /// <summary>Runs <c>node client.js address scenario</c> and parses the JSON outcome it prints.</summary>
    public static Task<JsonElement> RunClientAsync(string address, string scenario) => RunScriptAsync("client.js", address, scenario);

    /// <summary>Runs <c>node script args…</c> and parses the JSON it prints last.</summary>
    public static async Task<JsonElement> RunScriptAsync(string script, params string[] arguments)
    {
        var scenario = string.Join(' ', arguments);
        var start = new ProcessStartInfo("node", [script, .. arguments])
        {
            WorkingDirectory = ScriptDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(guard.Token);
        var output = (await stdout).Trim();
        process.ExitCode.Should().Be(0, $"node {script} {scenario} failed: {await stderr}");
        return JsonDocument.Parse(output.Split('\n').Last()).RootElement;
    }

    /// <summary>Starts <c>node server.js</c> and returns it with the port it listens on.</summary>
    public static async Task<(Process Process, int Port)> StartServerAsync()
    {
        var start = new ProcessStartInfo("node", ["server.js"])
        {
            WorkingDirectory = ScriptDirectory,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start)!;
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var line = await process.StandardOutput.ReadLineAsync(guard.Token);
        if (line is null || !line.StartsWith("PORT ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"node server.js did not start: {line} {await process.StandardError.ReadToEndAsync()}");
        }
        return (process, int.Parse(line[5..]));
    }

    private static string FindScriptDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "Interop.Tests", "node");
            if (File.Exists(Path.Combine(candidate, "client.js")))
            {
                if (!Directory.Exists(Path.Combine(candidate, "node_modules")))
                {
                    throw new InvalidOperationException($"Run `npm install` in {candidate} (./test.sh does it) before the interop tests.");
                }
                return candidate;
            }
        }
        throw new InvalidOperationException("tests/Interop.Tests/node not found above " + AppContext.BaseDirectory);
    }
}
