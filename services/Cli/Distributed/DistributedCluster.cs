using Cascade.Contracts;
using Cascade.Cli.Demo;
using Cascade.Contracts.Registry.V1;
using Grpc.Net.Client;
using Spectre.Console;

namespace Cascade.Cli.Distributed;

/// <summary>The services of <c>tye.yaml</c> running as separate processes on the local infrastructure, and channels to each.</summary>
internal sealed class DistributedCluster : IAsyncDisposable
{
    private readonly ProcessSupervisor _supervisor;

    private DistributedCluster(ProcessSupervisor supervisor, IReadOnlyList<ServiceSpec> services, CascadeChannels channels)
    {
        _supervisor = supervisor;
        Services = services;
        Channels = channels;
    }

    public IReadOnlyList<ServiceSpec> Services { get; }

    public CascadeChannels Channels { get; }

    public IReadOnlyDictionary<string, int> Restarts => _supervisor.Restarts;

    /// <summary>The operating system's id of an instance's current process (<c>serving</c>, <c>training-0</c>); null while none runs.</summary>
    public int? ProcessIdOf(string instance) => _supervisor.ProcessIdOf(instance);

    /// <summary>Kills a process as a crash would (the supervisor restarts it).</summary>
    public void Kill(string instance) => _supervisor.Kill(instance);

    /// <summary>Kills an instance and keeps it down until <see cref="Release"/> (an outage of that service).</summary>
    public void Hold(string instance) => _supervisor.Hold(instance);

    /// <summary>Ends an outage begun by <see cref="Hold"/>: the supervisor starts the instance again.</summary>
    public void Release(string instance) => _supervisor.Release(instance);

    /// <summary>Waits until every service answers its health endpoint again.</summary>
    public Task AwaitHealthyAsync(TimeSpan limit, CancellationToken cancellationToken) => _supervisor.AwaitHealthyAsync(limit, cancellationToken);

    /// <summary>Starts the processes of <c>tye.yaml</c>; <paramref name="overrides"/> are environment variables set for every process on top of the file's.</summary>
    /// <param name="auth">Turn authentication on in every process (<see cref="ClusterAuth"/>); the cluster's channels carry its admin key.</param>
    public static async Task<DistributedCluster> StartAsync(string repositoryRoot, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? overrides = null, bool auth = false)
    {
        IReadOnlyList<ServiceSpec> services = Topology.Load(Path.Combine(repositoryRoot, "tye.yaml"));
        string? adminKey = null;
        if (auth)
        {
            (services, adminKey, var keysFile) = ClusterAuth.Enable(repositoryRoot, services);
            AnsiConsole.MarkupLineInterpolated($"authentication on: every process has its own service key in {keysFile}; an admin key for you is printed when the processes are up");
        }
        var signingKeys = ClusterSigningKey.Ensure(repositoryRoot, services, overrides);
        var supervisor = new ProcessSupervisor(repositoryRoot, services, Path.Combine(repositoryRoot, ".cascade", "distributed", "logs"), overrides);
        AnsiConsole.MarkupLineInterpolated($"building {services.Select(s => s.Project).Distinct().Count()} service projects (Release)");
        await supervisor.BuildAsync(cancellationToken);
        supervisor.Start();
        try
        {
            await supervisor.AwaitHealthyAsync(TimeSpan.FromMinutes(3), cancellationToken);
        }
        catch
        {
            await supervisor.DisposeAsync();
            throw;
        }
        GrpcChannel Channel(string name) => GrpcChannel.ForAddress($"http://127.0.0.1:{services.First(s => s.Name == name).GrpcPort}",
            new GrpcChannelOptions { HttpHandler = Cascade.Hosting.Security.ServiceCredentials.WithBearer(new SocketsHttpHandler { EnableMultipleHttp2Connections = true }, adminKey), DisposeHttpClient = true });
        var channels = new CascadeChannels(Channel("ingestion"), Channel("features"), Channel("training"), Channel("registry"), Channel("serving"), Channel("monitoring"));
        AnsiConsole.MarkupLineInterpolated($"[green]{services.Sum(s => s.Replicas)} processes up[/]: {string.Join(", ", services.Select(s => $"{s.Name} :{s.GrpcPort}"))} (logs in .cascade/distributed/logs)");
        AnsiConsole.MarkupLineInterpolated($"models are signed with key {string.Join(", ", signingKeys)} (tye.yaml's Cascade__Signing__PrivateKeyFile; cascade models import takes it with --signing-key)");
        if (adminKey is not null)
        {
            AnsiConsole.MarkupLine("admin key (send it as --api-key, or export CASCADE_API_KEY=…; ./cascade keys create --keys-file .cascade/distributed/keys.json makes others):");
            Console.WriteLine(adminKey);
        }
        return new DistributedCluster(supervisor, services, channels);
    }

    /// <summary>
    /// Starts the processes for a run of the demo's scenario (the demo, the soak, the Predict bench): from empty data
    /// directories, on servers that must not hold an earlier run (its model and topics would mix with this one's).
    /// </summary>
    /// <exception cref="EarlierRunException">The registry already has the demo's model; the processes are stopped again.</exception>
    public static async Task<DistributedCluster> StartFreshAsync(string repositoryRoot, CancellationToken cancellationToken)
    {
        var state = Path.Combine(repositoryRoot, ".cascade", "distributed");
        if (Directory.Exists(state))
        {
            AnsiConsole.MarkupLineInterpolated($"starting the services from empty data directories: removing {state}");
            Directory.Delete(state, recursive: true);
        }
        var cluster = await StartAsync(repositoryRoot, cancellationToken);
        if (await cluster.HasModelAsync(DemoDataset.Model, cancellationToken))
        {
            await cluster.DisposeAsync();
            throw new EarlierRunException();
        }
        return cluster;
    }

    /// <summary>True when the registry already knows <paramref name="model"/>: the infrastructure holds an earlier run.</summary>
    public async Task<bool> HasModelAsync(string model, CancellationToken cancellationToken)
    {
        var models = await new Cascade.Contracts.Registry.V1.Registry.RegistryClient(Channels.Registry).ListModelsAsync(new ListModelsRequest(), GrpcCalls.Within(TimeSpan.FromSeconds(10), cancellationToken));
        return models.Models.Any(m => m.Name == model);
    }

    public async ValueTask DisposeAsync()
    {
        Channels.Dispose();
        await _supervisor.DisposeAsync();
    }
}
