using System.Diagnostics;
using System.Text.Json;

namespace Cascade.Interop.Tests.Peers;

/// <summary>Runs the grpc-js scripts in <c>tests/Interop.Tests/node</c> (installed by <c>test.sh</c> with npm).</summary>
internal static class NodePeer
{
    public static string ScriptDirectory { get; } = FindScriptDirectory();

    /// <summary>Runs <c>node client.js target scenario</c> and parses the JSON outcome it prints.</summary>
    public static Task<JsonElement> RunClientAsync(string target, string scenario) => RunScriptAsync("client.js", target, scenario);

    /// <summary>Runs <c>node script args…</c> and parses the JSON it prints last.</summary>
    public static Task<JsonElement> RunScriptAsync(string script, params string[] arguments) =>
        ForeignProcess.RunForJsonAsync(new ProcessStartInfo("node", [script, .. arguments]) { WorkingDirectory = ScriptDirectory });

    /// <summary>Starts <c>node server.js</c>; it prints <c>PORT n</c> once it listens, then one line per event it reports.</summary>
    public static Process StartServer() =>
        Process.Start(new ProcessStartInfo("node", ["server.js"])
        {
            WorkingDirectory = ScriptDirectory,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("node server.js did not start.");

    private static string FindScriptDirectory()
    {
        var directory = Repository.InteropTests("node");
        if (!Directory.Exists(Path.Combine(directory, "node_modules")))
        {
            throw new InvalidOperationException($"Run `npm install` in {directory} (./test.sh does it) before the interop tests.");
        }
        return directory;
    }
}
