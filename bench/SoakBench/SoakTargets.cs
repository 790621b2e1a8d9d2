using Cascade.Cli.Demo;
using Cascade.Cli.Distributed;
using Cascade.EventLog.Embedded;
using Cascade.Host;
using Cascade.Registry.Options;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cascade.Bench.Soak;

/// <summary>The deployment under soak: where its APIs are, how much memory it holds and how much disk it uses.</summary>
internal interface ISoakTarget : IAsyncDisposable
{
    string Name { get; }

    CascadeChannels Channels { get; }

    /// <summary>Resident memory of the deployment's processes (bytes).</summary>
    long ResidentBytes();

    /// <summary>Resident memory split into managed, SQLite and other native parts, where the deployment runs in this process; else null.</summary>
    MemoryBreakdown? Memory();

    /// <summary>Disk used, by part (a file or directory of the data directories), in bytes.</summary>
    IReadOnlyList<(string Part, long Bytes)> Disk();

    /// <summary>The retention settings that bound what is on disk, in words.</summary>
    IReadOnlyList<string> Retention();
}

/// <summary>Sizes and RSS read from the file system and <c>/proc</c>.</summary>
internal static class Measure
{
    /// <summary>VmRSS of a process from <c>/proc/{pid}/status</c>, in bytes; 0 if it is gone.</summary>
    public static long Rss(string pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0]) * 1024;
                }
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return 0;
    }

    /// <summary>Bytes of every file under <paramref name="path"/> (or of the file itself); unreadable parts count 0.</summary>
    public static long Size(string path)
    {
        try
        {
            if (File.Exists(path)) return new FileInfo(path).Length;
            if (!Directory.Exists(path)) return 0;
            var total = 0L;
            foreach (var file in new DirectoryInfo(path).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint }))
            {
                try { total += file.Length; } catch (IOException) { }
            }
            return total;
        }
        catch (IOException) { return 0; }
        catch (UnauthorizedAccessException) { return 0; }
    }

    /// <summary>Each entry directly under <paramref name="directory"/> with its size.</summary>
    public static IEnumerable<(string Part, long Bytes)> Entries(string directory, string prefix)
    {
        if (!Directory.Exists(directory)) yield break;
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory).Order())
        {
            yield return ($"{prefix}{Path.GetFileName(entry)}", Size(entry));
        }
    }
}

/// <summary>The all-in-one host in this process, on ephemeral ports and a temporary data directory.</summary>
internal sealed class InProcessTarget : ISoakTarget
{
    private readonly string _data;
    private readonly WebApplication _app;

    private InProcessTarget(string data, WebApplication app, GrpcChannel channel)
    {
        _data = data;
        _app = app;
        Channels = CascadeChannels.Single(channel);
    }

    public string Name => "all-in-one host (in-process)";

    public CascadeChannels Channels { get; }

    public static async Task<InProcessTarget> StartAsync()
    {
        var data = Directory.CreateTempSubdirectory("cascade-soak-").FullName;
        var options = new AllInOneHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = data };
        // Warnings only: a million records would otherwise log a line per batch into the measurement.
        var app = AllInOneHost.Build(options, logging => logging.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Warning));
        await app.StartAsync();
        var (grpc, _) = AllInOneHost.GetAddresses(app, options);
        Console.WriteLine($"host up: gRPC {grpc}, data directory {data}");
        return new InProcessTarget(data, app, GrpcChannel.ForAddress(grpc));
    }

    public long ResidentBytes() => Measure.Rss("self");

    public MemoryBreakdown? Memory() => MemoryBreakdown.OfThisProcess();

    public IReadOnlyList<(string Part, long Bytes)> Disk() => Measure.Entries(_data, "").ToArray();

    public IReadOnlyList<string> Retention()
    {
        // The host builds the embedded log with the options' defaults (InfrastructureComposition), so these are the ones in force.
        var log = new EmbeddedEventLogOptions();
        var registry = _app.Services.GetService<IOptions<RetentionOptions>>()?.Value ?? new RetentionOptions();
        return
        [
            $"event log (events.db): records older than {log.RetentionAge?.ToString() ?? "never"} deleted every {log.RetentionInterval}; per-partition cap {log.RetentionRecordsPerPartition?.ToString("N0") ?? "none"}",
            "offline store (offline.db): no retention; every materialized row is kept",
            $"registry artifacts: {registry.Describe()}; collector every {registry.Interval}",
        ];
    }

    public async ValueTask DisposeAsync()
    {
        Channels.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The seven service processes of <c>tye.yaml</c> on the servers of <c>./cascade infra up</c>, started as <c>./cascade up --distributed</c> does.</summary>
internal sealed class DistributedTarget : ISoakTarget
{
    private readonly string _root;
    private readonly DistributedCluster _cluster;

    private DistributedTarget(string root, DistributedCluster cluster)
    {
        _root = root;
        _cluster = cluster;
    }

    public string Name => "distributed (7 processes, ./cascade infra up servers)";

    public CascadeChannels Channels => _cluster.Channels;

    public static async Task<DistributedTarget> StartAsync(CancellationToken cancellationToken)
    {
        var root = Topology.FindRepositoryRoot();
        var cluster = await DistributedCluster.StartFreshAsync(root, cancellationToken);
        return new DistributedTarget(root, cluster);
    }

    /// <summary>The resident memory of every service process running now (the supervisor knows their ids).</summary>
    public long ResidentBytes() =>
        _cluster.Services.SelectMany(s => s.Instances).Select(_cluster.ProcessIdOf).OfType<int>().Sum(pid => Measure.Rss(pid.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    public MemoryBreakdown? Memory() => null;

    public IReadOnlyList<(string Part, long Bytes)> Disk() =>
        Measure.Entries(Path.Combine(_root, ".cascade", "distributed"), "distributed/")
            .Where(e => e.Part != "distributed/logs")
            .Concat(Measure.Entries(Path.Combine(_root, ".cascade", "infra"), "infra/").Where(e => e.Part is not ("infra/logs" or "infra/pids")))
            .ToArray();

    public IReadOnlyList<string> Retention() =>
    [
        "Kafka 0.9 (infra/kafka*): the broker's log.retention settings in .cascade/infra (7 days by default)",
        "offline store (PostgreSQL): no retention; every materialized row is kept",
        $"registry artifacts (S3): {new RetentionOptions().Describe()} (defaults; tye.yaml may override)",
    ];

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();
}
