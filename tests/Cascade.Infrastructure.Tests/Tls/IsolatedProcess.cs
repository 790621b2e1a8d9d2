using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Cascade.Infrastructure.Tests.Tls;

/// <summary>
/// A server a test starts for itself (on ports of its own, apart from the shared servers of infra/), with its output
/// kept for the failure message, stopped with its whole process tree.
/// </summary>
internal sealed class IsolatedProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private IsolatedProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name => Path.GetFileName(_process.StartInfo.FileName);

    /// <summary>What it printed so far (the last lines).</summary>
    public string Output => string.Join('\n', _output.TakeLast(40));

    public bool HasExited => _process.HasExited;

    public static IsolatedProcess Start(string file, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return new(Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start."));
    }

    /// <summary>Runs a command to its end (bounded by <paramref name="timeout"/>), failing with its output if it fails.</summary>
    public static async Task<string> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/" };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish within {timeout}: {await output}{await error}");
        }
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', start.ArgumentList)} failed ({process.ExitCode}): {await output}{await error}");
        return await output;
    }

    /// <summary>Waits until <paramref name="ready"/> holds, failing at once (with the output) if the process exits first.</summary>
    public async Task WaitUntilReadyAsync(Func<bool> ready, string what, TimeSpan timeout) =>
        await Eventually.WaitUntilAsync(() =>
        {
            if (_process.HasExited) throw new InvalidOperationException($"{Name} exited with {_process.ExitCode} before {what}:\n{Output}");
            return ready();
        }, $"{what} ({Name} said:\n{Output})", timeout, TimeSpan.FromMilliseconds(100));

    public bool Printed(string text) => _output.Any(line => line.Contains(text, StringComparison.Ordinal));

    /// <summary>A TCP port nothing listens on now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
    }
}
