using System.Diagnostics;
using System.Text.Json;

namespace Cascade.Monitoring.Tests.Fixtures;

/// <summary>Runs a Python snippet on Debian's interpreter (which sees python3-scipy, -numpy, -sklearn), JSON in, JSON out.</summary>
internal static class Python
{
    // The python3 first on PATH may be a separate build without Debian's packages.
    private const string Interpreter = "/usr/bin/python3";

    public static JsonElement Run(string script, object input)
    {
        var start = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{Interpreter} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(JsonSerializer.Serialize(input));
        process.StandardInput.Close();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Interpreter} failed ({process.ExitCode}); the reference checks need Debian's python3-scipy and python3-sklearn " +
                $"(./test.sh installs python3-sklearn, which brings both):\n{stderr.Result}");
        }
        return JsonDocument.Parse(stdout.Result).RootElement.Clone();
    }

    /// <summary>NaN cannot travel in JSON: it is sent as null and turned back into NaN by <see cref="Prelude"/>'s <c>arr</c>.</summary>
    public static double?[] Nullable(IEnumerable<double> values) => values.Select(v => double.IsNaN(v) ? (double?)null : v).ToArray();

    /// <summary>Reads stdin and defines <c>arr(xs)</c>, which maps null to NaN; scripts print one JSON document.</summary>
    public const string Prelude = """
        import sys, json
        import numpy as np
        data = json.load(sys.stdin)
        def arr(xs):
            return np.array([np.nan if v is None else v for v in xs], dtype=float)

        """;
}
