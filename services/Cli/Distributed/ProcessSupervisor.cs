using System.Diagnostics;
using Spectre.Console;

namespace Cascade.Cli.Distributed;

/// <summary>
/// Runs every service of the topology as its own process: builds the projects (incrementally), starts
/// <c>replicas</c> processes per service, restarts one that dies (with backoff), and stops them all when disposed.
/// Each process's output goes to <c>{logs}/{service}[-n].log</c>.
/// </summary>
internal sealed class ProcessSupervisor(string repositoryRoot, IReadOnlyList<ServiceSpec> services, string logDirectory, IReadOnlyDictionary<string, string>? overrides = null) : IAsyncDisposable
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _replicas = [];
    private readonly Dictionary<string, int> _restarts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Process> _running = new(StringComparer.Ordinal);
    // Instances kept down on purpose (an outage); their supervisor waits instead of restarting them.
    private readonly HashSet<string> _held = [];

    public IReadOnlyDictionary<string, int> Restarts { get { lock (_restarts) return new Dictionary<string, int>(_restarts); } }

    /// <summary>Builds each distinct project once (Release); msbuild skips what is up to date.</summary>
    public async Task BuildAsync(CancellationToken cancellationToken)
    {
        foreach (var project in services.Select(s => s.Project).Distinct())
        {
            var build = Process.Start(new ProcessStartInfo("dotnet", ["build", Path.Combine(repositoryRoot, project), "-c", "Release", "-nologo", "-v", "quiet", "-clp:ErrorsOnly"])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = repositoryRoot,
            })!;
            var output = await build.StandardOutput.ReadToEndAsync(cancellationToken) + await build.StandardError.ReadToEndAsync(cancellationToken);
            await build.WaitForExitAsync(cancellationToken);
            if (build.ExitCode != 0)
            {
                throw new InvalidOperationException($"Building {project} failed:\n{output}");
            }
        }
    }

    public void Start()
    {
        Directory.CreateDirectory(logDirectory);
        foreach (var service in services)
        {
            foreach (var instance in service.Instances)
            {
                _replicas.Add(Task.Run(() => SuperviseAsync(service, instance, _stopping.Token)));
            }
        }
    }

    private async Task SuperviseAsync(ServiceSpec service, string instance, CancellationToken stopping)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!stopping.IsCancellationRequested)
        {
            var started = Stopwatch.StartNew();
            var exitCode = await RunOnceAsync(service, instance, stopping);
            if (stopping.IsCancellationRequested) return;
            while (IsHeld(instance))
            {
                try { await Task.Delay(100, stopping); } catch (OperationCanceledException) { return; }
            }
            lock (_restarts) _restarts[instance] = _restarts.GetValueOrDefault(instance) + 1;
            AnsiConsole.MarkupLineInterpolated($"[yellow]{instance} exited with code {exitCode}; restarting in {backoff.TotalSeconds:F0} s[/] (log: {Path.Combine(logDirectory, instance + ".log")})");
            try { await Task.Delay(backoff, stopping); } catch (OperationCanceledException) { return; }
            // A process that ran a while before dying gets a fresh, short backoff.
            backoff = started.Elapsed > TimeSpan.FromMinutes(1) ? TimeSpan.FromSeconds(1) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private async Task<int> RunOnceAsync(ServiceSpec service, string instance, CancellationToken stopping)
    {
        var dll = Path.Combine(repositoryRoot, Path.GetDirectoryName(service.Project)!, "bin", "Release", "net10.0", service.Assembly + ".dll");
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = repositoryRoot, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        // Eight processes that start together on one machine: without dynamic PGO each hot method is compiled twice
        // (quick, then optimised) instead of three times (quick, instrumented, optimised). During ./cascade demo
        // --distributed on 2 cores (perf record -a, 12 s of the ingest) the runtime's compilation threads took 38–40% of
        // the machine with PGO and 23% without; the demo's clients got 5,000–6,000 predictions answered instead of
        // 29,000–56,000, and the first drift alert came 7,750–20,000 records after the change instead of 500–2,000
        // (docs/performance.md). A process on a machine of its own (deploy/) keeps the runtime's default; an operator's
        // DOTNET_TieredPGO wins here too.
        if (Environment.GetEnvironmentVariable("DOTNET_TieredPGO") is null) start.Environment["DOTNET_TieredPGO"] = "0";
        foreach (var (name, value) in service.Environment) start.Environment[name] = value;
        foreach (var (name, value) in overrides ?? new Dictionary<string, string>()) start.Environment[name] = value;
        if (service.Replicas > 1)
        {
            // Replicas cannot share ports: each listens on an ephemeral one (their clients find them through the broker, not by address).
            start.Environment["Cascade__GrpcPort"] = "0";
            start.Environment["Cascade__HttpPort"] = "0";
            start.Environment["Cascade__DataDirectory"] = $"{service.Environment.GetValueOrDefault("Cascade__DataDirectory", ".cascade/distributed/" + service.Name)}-{instance}";
            start.Environment["Cascade__Training__WorkerName"] = instance;
        }
        await using var log = new StreamWriter(Path.Combine(logDirectory, instance + ".log"), append: true) { AutoFlush = true };
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.Start();
        lock (_running) _running[instance] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(stopping);
            return process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            // SIGTERM first, so the service commits what it checkpointed; then make sure it is gone.
            try
            {
                Process.Start("kill", ["-TERM", process.Id.ToString()])?.WaitForExit();
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
            return 0;
        }
    }

    /// <summary>The operating system's id of an instance's current process (it changes when the instance restarts); null while none runs.</summary>
    public int? ProcessIdOf(string instance)
    {
        lock (_running)
        {
            try
            {
                return _running.TryGetValue(instance, out var process) && !process.HasExited ? process.Id : null;
            }
            catch (InvalidOperationException)
            {
                return null; // its process object is already disposed: it exited and was not restarted yet
            }
        }
    }

    /// <summary>Kills an instance's current process at once (SIGKILL: no shutdown, no last commit), as a crash would; the supervisor restarts it.</summary>
    public void Kill(string instance)
    {
        Process? process;
        lock (_running) _running.TryGetValue(instance, out process);
        if (process is null) throw new ArgumentException($"No running instance '{instance}'.");
        process.Kill(entireProcessTree: true);
    }

    /// <summary>Kills an instance and keeps it down (an outage) until <see cref="Release"/>.</summary>
    public void Hold(string instance)
    {
        lock (_held) _held.Add(instance);
        Kill(instance);
    }

    /// <summary>Lets the supervisor start a held instance again.</summary>
    public void Release(string instance)
    {
        lock (_held) _held.Remove(instance);
    }

    private bool IsHeld(string instance)
    {
        lock (_held) return _held.Contains(instance);
    }

    /// <summary>Waits until every service with a fixed port answers <c>/healthz</c> with 200.</summary>
    public async Task AwaitHealthyAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + limit;
        foreach (var service in services.Where(s => s.Replicas == 1))
        {
            var last = "no answer";
            while (true)
            {
                try
                {
                    using var response = await http.GetAsync($"http://127.0.0.1:{service.HttpPort}/healthz", cancellationToken);
                    if (response.IsSuccessStatusCode) break;
                    last = $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}";
                }
                catch (HttpRequestException ex) { last = ex.Message; }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested) { last = "no answer within 2 s"; }
                if (DateTime.UtcNow > deadline)
                {
                    // The next cluster's start clears the log directory: what the process said goes with the error.
                    var log = Path.Combine(logDirectory, service.Name + ".log");
                    var tail = File.Exists(log) ? string.Join(Environment.NewLine, File.ReadLines(log).TakeLast(20)) : "(no log)";
                    throw new TimeoutException($"{service.Name} did not become healthy within {limit.TotalSeconds:F0} s (last /healthz: {last}); the end of {log}:{Environment.NewLine}{tail}");
                }
                await Task.Delay(250, cancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_replicas);
        _stopping.Dispose();
    }
}
