using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Cascade.Bench;

/// <summary>Runs h2load (Debian's nghttp2-client) and reads its throughput and mean latency. Shared with CascadeBench.</summary>
internal static partial class H2Load
{
    /// <summary>
    /// POSTs <paramref name="bodyFile"/> (a GET without one) <paramref name="requests"/> times over
    /// <paramref name="connections"/> × <paramref name="streams"/>, as fast as the server answers or at
    /// <paramref name="ratePerConnection"/> requests per second per connection.
    /// </summary>
    public static async Task<LoadResult> RunAsync(string url, string? bodyFile, IReadOnlyList<string> headers, int requests, int connections, int streams, bool http1, int? ratePerConnection = null)
    {
        var arguments = new List<string> { "-n", requests.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
            "-m", streams.ToString(CultureInfo.InvariantCulture), "-t", "1" };
        if (bodyFile is not null)
        {
            arguments.Add("-d");
            arguments.Add(bodyFile);
        }
        if (http1)
        {
            arguments.Add("--h1");
        }
        if (ratePerConnection is { } rate)
        {
            arguments.Add("--rps");
            arguments.Add(rate.ToString(CultureInfo.InvariantCulture));
        }
        foreach (var header in headers)
        {
            arguments.Add("-H");
            arguments.Add(header);
        }
        arguments.Add(url);
        var start = new ProcessStartInfo("h2load", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("h2load did not start: apt-get install nghttp2-client");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var throughput = RequestsPerSecond().Match(output);
        var succeeded = Succeeded().Match(output);
        var latency = MeanLatency().Match(output);
        if (!throughput.Success || !succeeded.Success)
        {
            throw new InvalidOperationException("Could not read h2load's output:\n" + output);
        }
        return new LoadResult(
            double.Parse(throughput.Groups[1].Value, CultureInfo.InvariantCulture),
            long.Parse(succeeded.Groups[2].Value, CultureInfo.InvariantCulture),
            long.Parse(succeeded.Groups[1].Value, CultureInfo.InvariantCulture),
            latency.Success ? ToMilliseconds(latency.Groups[1].Value, latency.Groups[2].Value) : double.NaN);
    }

    private static double ToMilliseconds(string value, string unit)
    {
        var number = double.Parse(value, CultureInfo.InvariantCulture);
        return unit switch { "us" => number / 1000, "ms" => number, "s" => number * 1000, _ => double.NaN };
    }

    [GeneratedRegex(@"finished in [\d.]+\w+, ([\d.]+) req/s")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"requests: (\d+) total, \d+ started, \d+ done, (\d+) succeeded")]
    private static partial Regex Succeeded();

    [GeneratedRegex(@"time for request:\s+[\d.]+\w+\s+[\d.]+\w+\s+([\d.]+)(us|ms|s)")]
    private static partial Regex MeanLatency();
}

/// <summary>What one h2load run measured.</summary>
internal sealed record LoadResult(double RequestsPerSecond, long Succeeded, long Total, double MeanLatencyMs);
