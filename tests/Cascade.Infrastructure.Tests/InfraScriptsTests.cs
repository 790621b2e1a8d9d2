using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Cascade.Infrastructure.Tests;

/// <summary>
/// infra/up.sh, status.sh and down.sh for real, on free ports in a private (0700) temp CASCADE_INFRA_DIR, apart
/// from the servers on the standard ports that the other tests use: an up.sh that fails part-way, a server whose
/// first process died and left its Erlang VM behind, then down.sh stopping every process of what up.sh started.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class InfraScriptsTests : IDisposable
{
    private readonly string _infraDir;
    private readonly Dictionary<string, string> _environment;
    private readonly int _redis = FreePort(), _rabbitMq = FreePort(), _rabbitMqDist = FreePort(), _rabbitMqEpmd = FreePort(), _postgres = FreePort();

    public InfraScriptsTests()
    {
        // Private like a clone in /root: as root, PostgreSQL's user cannot enter it, so its data must go elsewhere.
        _infraDir = Path.Combine(Path.GetTempPath(), $"cascade-infra-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_infraDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _environment = new()
        {
            ["CASCADE_INFRA_DIR"] = _infraDir,
            ["REDIS_PORT"] = $"{_redis}",
            ["RABBITMQ_PORT"] = $"{_rabbitMq}",
            ["RABBITMQ_DIST_PORT"] = $"{_rabbitMqDist}",
            ["RABBITMQ_EPMD_PORT"] = $"{_rabbitMqEpmd}",
            ["POSTGRES_PORT"] = $"{_postgres}",
        };
    }

    [Fact]
    public async Task Down_stops_every_process_of_an_up_that_failed_part_way_even_the_Erlang_VM_whose_start_script_died()
    {
        // Something else holds Redis's port: up.sh must refuse Redis, start the others, and say which failed and why.
        using var squatter = new TcpListener(IPAddress.Loopback, _redis);
        squatter.Start();

        var up = await RunAsync("up.sh", "rabbitmq", "postgres", "redis");

        up.ExitCode.Should().Be(1, up.Output);
        up.Output.Should().Contain($"redis: port {_redis} is taken by").And.Contain("FAILED: redis")
            .And.Contain($"rabbitmq ready on 127.0.0.1:{_rabbitMq}").And.Contain($"postgres ready on 127.0.0.1:{_postgres}");
        var dataDirectory = File.ReadAllText(Path.Combine(_infraDir, "postgres.datadir")).Trim();
        if (Environment.UserName == "root")
            dataDirectory.Should().StartWith("/var/tmp/cascade-postgres-", "user postgres cannot enter the private infra dir");
        else
            dataDirectory.Should().Be(Path.Combine(_infraDir, "postgres"), "PostgreSQL runs as the current user");
        var groups = new[] { "rabbitmq", "rabbitmq-epmd", "postgres" }.ToDictionary(name => name, RecordedGroup);
        File.Exists(Path.Combine(_infraDir, "pids", "redis.pid")).Should().BeFalse("Redis was not started");
        var started = Family(groups.Values);
        started.Select(p => p.Command).Should().Contain(["beam.smp", "epmd", "postgres"]);

        // What happened to RabbitMQ after the failed up of the issue: its start script gone, the VM re-parented.
        Kill(groups["rabbitmq"]);
        var status = await RunAsync("status.sh", "rabbitmq", "postgres", "redis");
        status.ExitCode.Should().Be(1, status.Output);
        status.Output.Should().Contain("LEFTOVER").And.Contain("beam.smp");

        var down = await RunAsync("down.sh");

        down.ExitCode.Should().Be(0, down.Output);
        var alive = started.Where(p => p.IsAlive()).Concat(Family(groups.Values)).Select(p => $"{p.Pid} {p.Command}").Distinct();
        alive.Should().BeEmpty($"down.sh stops every process of the groups up.sh started ({down.Output})");
        foreach (var port in new[] { _rabbitMq, _rabbitMqDist, _rabbitMqEpmd, _postgres })
        {
            IsListening(port).Should().BeFalse($"nothing of ours listens on {port} after down.sh");
        }
        IsListening(_redis).Should().BeTrue("down.sh leaves alone what it did not start");
        Directory.GetFiles(Path.Combine(_infraDir, "pids")).Should().BeEmpty();

        var after = await RunAsync("status.sh", "rabbitmq", "postgres");
        after.Output.Should().NotContain("LEFTOVER").And.NotContain("ready");
    }

    private int RecordedGroup(string name)
    {
        var file = Path.Combine(_infraDir, "pids", $"{name}.pid");
        File.Exists(file).Should().BeTrue($"up.sh records the process group of {name}");
        return int.Parse(File.ReadAllText(file).Split(' ')[0]);
    }

    private static void Kill(int pid) => Process.GetProcessById(pid).Kill(entireProcessTree: false);

    private async Task<(int ExitCode, string Output)> RunAsync(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(RepositoryRoot(), "infra", script), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/",
        };
        foreach (var (key, value) in _environment) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"infra/{script} {string.Join(' ', arguments)} ran over 4 minutes");
        }
        return (process.ExitCode, $"{await output}{await error}");
    }

    /// <summary>The live processes of the groups and all their descendants (some of which leave the group with setsid).</summary>
    private static List<ProcessInfo> Family(IEnumerable<int> groups)
    {
        var all = ProcessInfo.All();
        var members = all.Where(p => groups.Contains(p.Group)).ToList();
        for (var added = true; added;)
        {
            var children = all.Where(p => members.All(m => m.Pid != p.Pid) && members.Any(m => m.Pid == p.Parent)).ToList();
            members.AddRange(children);
            added = children.Count > 0;
        }
        return members;
    }

    private sealed record ProcessInfo(int Pid, int Parent, int Group, string Command, string StartTime)
    {
        public static List<ProcessInfo> All() =>
            Directory.GetDirectories("/proc").Select(d => Read(Path.GetFileName(d))).OfType<ProcessInfo>().ToList();

        /// <summary>Null when the process does not exist or is a zombie (exited, not yet reaped).</summary>
        private static ProcessInfo? Read(string pid)
        {
            if (!int.TryParse(pid, out var id)) return null;
            string stat;
            try
            {
                stat = File.ReadAllText($"/proc/{pid}/stat");
            }
            catch (IOException)
            {
                return null;
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }
            var open = stat.IndexOf('(');
            var close = stat.LastIndexOf(')');
            var fields = stat[(close + 2)..].Split(' ');
            if (fields[0] is "Z" or "X") return null;
            return new ProcessInfo(id, int.Parse(fields[1]), int.Parse(fields[2]), stat[(open + 1)..close], fields[19]);
        }

        public bool IsAlive() => Read($"{Pid}") is { } now && now.StartTime == StartTime;
    }

    private static bool IsListening(int port)
    {
        using var client = new TcpClient();
        try
        {
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "infra", "up.sh"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("infra/up.sh not found above the test's folder");
    }

    public void Dispose()
    {
        // Whatever the test's outcome, nothing of it may outlive it: stop, then remove its data (PostgreSQL's too,
        // which as root lives in /var/tmp/cascade-postgres-KEY when the infra dir is private).
        RunAsync("down.sh").GetAwaiter().GetResult();
        var pointer = Path.Combine(_infraDir, "postgres.datadir");
        var data = File.Exists(pointer) ? File.ReadAllText(pointer).Trim() : null;
        if (data is not null && Path.GetFileName(Path.GetDirectoryName(data))!.StartsWith("cascade-postgres-", StringComparison.Ordinal))
        {
            Directory.Delete(Path.GetDirectoryName(data)!, recursive: true);
        }
        Directory.Delete(_infraDir, recursive: true);
    }
}
