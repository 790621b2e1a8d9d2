using System.Diagnostics;
using System.Text.Json;

namespace Cascade.Interop.Tests.Peers;

/// <summary>Runs the foreign peers' programs (node, python, protoc) to their end, killing any that hangs.</summary>
internal static class ForeignProcess
{
    /// <summary>Longest a program may run: each script sets deadlines on its own calls far below this, so only a hang reaches it.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    /// <summary>Runs <paramref name="start"/> to its end and returns what it printed; throws if it failed or hung.</summary>
    public static async Task<string> RunAsync(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var command = $"{start.FileName} {string.Join(' ', start.ArgumentList)}";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{command} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var guard = new CancellationTokenSource(HangGuard))
        {
            try
            {
                await process.WaitForExitAsync(guard.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{command} ran over {HangGuard.TotalSeconds} s: {await stderr}");
            }
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} failed with exit code {process.ExitCode}: {await stderr}");
        }
        return await stdout;
    }

    /// <summary>Runs a script that prints its outcome as one JSON object on its last line, and parses that.</summary>
    public static async Task<JsonElement> RunForJsonAsync(ProcessStartInfo start)
    {
        var output = (await RunAsync(start)).Trim();
        output.Should().NotBeEmpty($"{start.FileName} {string.Join(' ', start.ArgumentList)} printed nothing");
        return JsonDocument.Parse(output.Split('\n')[^1]).RootElement.Clone();
    }
}
