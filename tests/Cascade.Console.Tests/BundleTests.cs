using System.Diagnostics;

namespace Cascade.WebConsole.Tests;

/// <summary>
/// The page is committed built (services/Console/wwwroot), so hosts never run npm; this checks that what is committed is
/// what the sources build: it installs the locked npm packages when they are missing, type-checks the sources and
/// rebuilds them into a scratch folder, and compares byte for byte. On failure: run services/Console/web/build.sh and commit.
/// </summary>
public sealed class BundleTests
{
    private static readonly string Web = Path.Combine(RepositoryRoot.Path, "services", "Console", "web");
    private static readonly string Built = Path.Combine(RepositoryRoot.Path, "services", "Console", "wwwroot");

    [Fact]
    public async Task The_committed_bundle_is_what_the_sources_build()
    {
        var modules = Path.Combine(Web, "node_modules");
        if (!Directory.Exists(Path.Combine(modules, "esbuild")) || !Directory.Exists(Path.Combine(modules, "typescript")) ||
            File.GetLastWriteTimeUtc(Path.Combine(Web, "package-lock.json")) > Directory.GetLastWriteTimeUtc(modules))
        {
            await RunAsync("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
        }
        await RunAsync("node", Path.Combine("node_modules", "typescript", "bin", "tsc"), "-p", ".");
        var scratch = Directory.CreateTempSubdirectory("cascade-console-bundle-").FullName;
        try
        {
            await RunAsync("node", "build.mjs", "--out", scratch);
            foreach (var file in new[] { "index.html", "app.js", "app.css" })
            {
                var rebuilt = await File.ReadAllBytesAsync(Path.Combine(scratch, file));
                var committed = await File.ReadAllBytesAsync(Path.Combine(Built, file));
                rebuilt.SequenceEqual(committed).Should().BeTrue($"services/Console/wwwroot/{file} must be what the sources build: run services/Console/web/build.sh and commit it");
            }
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static async Task RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = Web, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.Should().Be(0, $"{program} {string.Join(' ', args)} failed:\n{await output}\n{await error}");
    }
}
