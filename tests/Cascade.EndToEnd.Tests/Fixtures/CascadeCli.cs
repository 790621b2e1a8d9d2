using System.Diagnostics;

namespace Cascade.EndToEnd.Tests.Fixtures;

/// <summary>
/// The real <c>cascade</c> command as its own process, as a user runs it: the CLI's own build output (built with these
/// tests, same configuration), not the copy in the test's folder, whose dependencies were resolved for the test project.
/// </summary>
internal static class CascadeCli
{
    public sealed record Result(int ExitCode, string Output, string Error);

    private static readonly Lazy<string> Dll = new(Locate);

    public static async Task<Result> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [Dll.Value, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(Dll.Value)!,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"cascade {string.Join(' ', arguments)} did not finish in 90 s: {await output} {await error}");
        }
        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary><c>services/Cli/bin/&lt;configuration&gt;/&lt;tfm&gt;/cascade.dll</c> of this checkout.</summary>
    private static string Locate()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (framework, configuration) = (output.Name, output.Parent!.Name);
        for (var directory = output; directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Microservices.sln")))
            {
                var dll = Path.Combine(directory.FullName, "services", "Cli", "bin", configuration, framework, "cascade.dll");
                return File.Exists(dll) ? dll : throw new FileNotFoundException($"The CLI is not built at {dll}: build services/Cli/Cascade.Cli.csproj ({configuration}) first.");
            }
        }
        throw new DirectoryNotFoundException($"No Microservices.sln above {AppContext.BaseDirectory}.");
    }
}
