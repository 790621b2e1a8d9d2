using System.Diagnostics;

namespace Cascade.Cli.Tests;

/// <summary>Runs the real <c>cascade</c> command line as a child process, from the CLI project's own build output.</summary>
internal static class CascadeProcess
{
    /// <summary>
    /// The CLI as its project built it, in the tests' configuration: the copy beside the tests cannot run, because the
    /// tests' output resolves shared packages against the ASP.NET framework and leaves out files the CLI's deps.json names.
    /// </summary>
    private static readonly string Cli = FindCli();

    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
    }

    public static async Task<Result> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Cli);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cascade did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"cascade {string.Join(' ', args)} did not finish within 2 minutes.");
        }
        return new Result(process.ExitCode, await output, await error);
    }

    private static string FindCli()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory);
        var path = RepositoryFiles.Path(Path.Combine("services", "Cli", "bin", output.Parent!.Name, output.Name, "cascade.dll"));
        return File.Exists(path) ? path : throw new FileNotFoundException($"The CLI is not built at {path}: build services/Cli in the tests' configuration.", path);
    }
}
