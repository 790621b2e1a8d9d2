using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Cascade.Fuzz.Live;

/// <summary>A finding: the case, what came back, and why that is wrong.</summary>
public sealed record Finding(int Index, FuzzCase Case, Answer? Answer, string Why)
{
    public override string ToString() => $"#{Index} {Case}: {Why}";
}

/// <summary>What a campaign did and found.</summary>
public sealed class CampaignReport
{
    /// <summary>Cases per target (method or route), then per answer (status name).</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Tally { get; init; }

    public required IReadOnlyList<Finding> Findings { get; init; }

    /// <summary>Error-level log entries of the host during the campaign (but those <see cref="Classifier.IsByDesign"/>).</summary>
    public required IReadOnlyList<CapturedLog> LoggedErrors { get; init; }

    /// <summary>Training jobs the cases triggered that failed (logged at Error by MassTransit by design).</summary>
    public required int JobFailures { get; init; }

    public required int Cases { get; init; }

    public required TimeSpan Elapsed { get; init; }

    public required bool Healthy { get; init; }

    public required string HealthDetail { get; init; }

    public required int GrpcMethods { get; init; }

    public required int RestRoutes { get; init; }

    /// <summary>Whether the host passed: no finding, no error logged, healthy at the end.</summary>
    public bool Passed => Findings.Count == 0 && LoggedErrors.Count == 0 && Healthy;

    /// <summary>The report as a table: cases and answers per target, totals, findings.</summary>
    public string Table()
    {
        var columns = new[] { "OK", "InvalidArgument", "FailedPrecondition", "NotFound", "AlreadyExists", "ResourceExhausted", "OutOfRange", "Unimplemented", "Unavailable", "Internal", "DeadlineExceeded", "Cancelled", "Unknown" };
        var header = new[] { "OK", "INV_ARG", "FAIL_PRE", "NOT_FND", "EXISTS", "RES_EXH", "OUT_RNG", "UNIMPL", "UNAVAIL", "INTERNAL", "DEADLINE", "CANCEL", "UNKNOWN" };
        var text = new StringBuilder();
        var width = Math.Max(40, Tally.Keys.Max(k => k.Length) + 2);
        text.Append(CultureInfo.InvariantCulture, $"{"target".PadRight(width)}{"cases",8}");
        foreach (var h in header) text.Append(CultureInfo.InvariantCulture, $"{h,9}");
        text.Append(CultureInfo.InvariantCulture, $"  {"HTTP (REST)"}\n");
        foreach (var (target, answers) in Tally.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"{target.PadRight(width)}{answers.Values.Sum(),8}");
            if (target.StartsWith("grpc ", StringComparison.Ordinal))
            {
                foreach (var column in columns) text.Append(CultureInfo.InvariantCulture, $"{(answers.TryGetValue(column, out var n) ? n : 0),9}");
                var other = answers.Where(a => !columns.Contains(a.Key)).Select(a => $"{a.Key} {a.Value}");
                text.Append("  ").Append(string.Join(", ", other));
            }
            else
            {
                text.Append(' ', 9 * columns.Length).Append("  ").Append(string.Join(", ", answers.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}: {a.Value}")));
            }
            text.Append('\n');
        }
        var grpcCases = Tally.Where(t => t.Key.StartsWith("grpc ", StringComparison.Ordinal)).Sum(t => t.Value.Values.Sum());
        text.Append(CultureInfo.InvariantCulture, $"\n{Cases:N0} cases ({grpcCases:N0} gRPC over {GrpcMethods} methods, {Cases - grpcCases:N0} REST over {RestRoutes} routes) in {Elapsed.TotalSeconds:0.0} s ({Cases / Math.Max(0.001, Elapsed.TotalSeconds):0} cases/s)\n");
        text.Append(CultureInfo.InvariantCulture, $"findings: {Findings.Count}; errors logged by the host: {LoggedErrors.Count} (and {JobFailures} failed training jobs, logged by design); health afterwards: {HealthDetail}\n");
        foreach (var group in Findings.GroupBy(f => $"{f.Case.Target}: {Shorten(f.Why)}").Take(40))
        {
            text.Append(CultureInfo.InvariantCulture, $"  FINDING x{group.Count()} {group.Key} (first: case #{group.First().Index}, {group.First().Case.Strategy})\n");
        }
        foreach (var group in LoggedErrors.GroupBy(e => $"{e.Category}: {Shorten(e.Message)} {e.Exception?.GetType().Name}").Take(20))
        {
            text.Append(CultureInfo.InvariantCulture, $"  LOGGED x{group.Count()} {group.First()}\n");
        }
        return text.ToString();
    }

    private static string Shorten(string text) => text.Length <= 160 ? text : text[..160] + "…";
}

/// <summary>
/// The generated-input campaign: cases spread over every gRPC method (about three in four) and every REST route,
/// sent concurrently to a live host, each answer judged by <see cref="Classifier"/>; then the host's error log and
/// its health.
/// </summary>
public sealed class Campaign(LiveHost host, Surface surface, CaseFactory factory)
{
    /// <summary>Case <paramref name="index"/> of the campaign seeded <paramref name="seed"/> (the same case every time).</summary>
    public FuzzCase Make(int seed, int index)
    {
        var random = new Random(unchecked(seed * 1_000_003 + index));
        // Three gRPC cases for every REST case, methods and routes taken in turn.
        if (index % 4 != 3 || surface.Routes.Count == 0)
        {
            var method = surface.Methods[(index - index / 4) % surface.Methods.Count];
            return factory.Grpc(method, random);
        }
        return factory.Rest(surface.Routes[index / 4 % surface.Routes.Count], random);
    }

    public async Task<CampaignReport> RunAsync(int cases, int seed, int concurrency, Action<string>? progress = null, string? findingsDirectory = null, int first = 0, CancellationToken cancellationToken = default)
    {
        var tally = new ConcurrentDictionary<string, ConcurrentDictionary<string, int>>(StringComparer.Ordinal);
        var findings = new ConcurrentQueue<Finding>();
        var logsBefore = host.Logs.Errors.Count;
        var stopwatch = Stopwatch.StartNew();
        using var executor = new Executor(host.Grpc, host.Http);
        var next = first - 1;
        var done = 0;
        var lastReport = Stopwatch.StartNew();
        async Task WorkAsync()
        {
            while (Interlocked.Increment(ref next) is var index && index < first + cases)
            {
                FuzzCase fuzzCase;
                try
                {
                    fuzzCase = Make(seed, index);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    throw new InvalidOperationException($"Making case #{index} failed: {ex.Message}", ex);
                }
                var answer = await executor.SendAsync(fuzzCase, cancellationToken);
                var key = $"{fuzzCase.Kind} {(fuzzCase.Kind == "grpc" ? fuzzCase.Target.TrimStart('/') : $"{fuzzCase.Verb} {fuzzCase.Target}")}";
                tally.GetOrAdd(key, _ => new ConcurrentDictionary<string, int>(StringComparer.Ordinal)).AddOrUpdate(answer.Label, 1, (_, n) => n + 1);
                if (Classifier.Judge(fuzzCase, answer) is { } why)
                {
                    findings.Enqueue(new Finding(index, fuzzCase, answer, why));
                    Save(findingsDirectory, index, fuzzCase);
                }
                var count = Interlocked.Increment(ref done);
                if (progress is not null && count % 1000 == 0 && lastReport.Elapsed > TimeSpan.FromSeconds(10))
                {
                    lastReport.Restart();
                    progress($"{count:N0}/{cases:N0} cases, {findings.Count} findings, {host.Logs.Errors.Count - logsBefore} errors logged, {stopwatch.Elapsed.TotalSeconds:0} s");
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(WorkAsync, cancellationToken)));
        var elapsed = stopwatch.Elapsed;
        // Work the requests started (appends, materialization, training jobs) settles before health and logs are read.
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        var (healthy, detail) = await host.CheckHealthAsync(cancellationToken);
        return new CampaignReport
        {
            Tally = tally.ToDictionary(t => t.Key, t => (IReadOnlyDictionary<string, int>)t.Value.ToDictionary(a => a.Key, a => a.Value), StringComparer.Ordinal),
            Findings = findings.OrderBy(f => f.Index).ToArray(),
            LoggedErrors = host.Logs.Errors.Skip(logsBefore).Where(e => !Classifier.IsByDesign(e)).ToArray(),
            JobFailures = host.Logs.Errors.Skip(logsBefore).Count(Classifier.IsByDesign),
            Cases = cases,
            Elapsed = elapsed,
            Healthy = healthy,
            HealthDetail = detail,
            GrpcMethods = surface.Methods.Count,
            RestRoutes = surface.Routes.Count,
        };
    }

    /// <summary>Writes a finding's case where the regression corpus can take it (small cases only; a 4 MiB case is described by its strategy).</summary>
    private static void Save(string? directory, int index, FuzzCase fuzzCase)
    {
        if (directory is null || fuzzCase.Body.Length > 256 * 1024) return;
        Directory.CreateDirectory(directory);
        var name = $"{fuzzCase.Target.Trim('/').Replace('/', '_').Replace('{', '_').Replace('}', '_').Replace(':', '_')}-{index}.json";
        File.WriteAllText(Path.Combine(directory, name), fuzzCase.ToJson());
    }
}
