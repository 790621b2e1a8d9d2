using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Serving.V1;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Embedded;
using Cascade.Hosting;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Ml.Signing;
using Cascade.Ml.Training;
using Cascade.Registry.Domain;
using Cascade.Registry.Grpc;
using Cascade.Registry.Messaging;
using Cascade.Registry.Options;
using Cascade.Registry.Storage;
using Cascade.Storage.Artifacts;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using RegistryClient = Cascade.Contracts.Registry.V1.Registry.RegistryClient;

namespace Cascade.Serving.Tests.Traffic;

/// <summary>
/// Serving replicas as Kubernetes runs them: separate processes (here, separate hosts with their own work directories)
/// sharing one event log and one registry. A traffic policy set through one replica is stored by the registry,
/// audited, and applied by every replica; a replica started afterwards (a moved pod) gets it back from the log, with
/// no traffic.json anywhere. The registry is the real one, reached through its in-process client.
/// </summary>
public sealed class TrafficPolicyReplicasTests : IAsyncLifetime
{
    private const string Model = "replicated";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-serving-traffic-").FullName;
    private readonly SigningKey _key = SigningKey.Create();
    private readonly List<WebApplication> _replicas = [];
    private SqliteEventLog _log = null!;
    private LocalArtifactStore _artifacts = null!;
    private SqliteRegistryStore _store = null!;
    private RegistryOutbox _outbox = null!;
    private RegistryClient _registry = null!;
    private string _trusted = null!;

    public async Task InitializeAsync()
    {
        _log = new SqliteEventLog(new EmbeddedEventLogOptions { Path = Path.Combine(_root, "events.db") });
        _artifacts = new LocalArtifactStore(Path.Combine(_root, "artifacts"));
        _store = new SqliteRegistryStore(Path.Combine(_root, "registry.db"));
        _outbox = new RegistryOutbox(_store, _log, NullLogger<RegistryOutbox>.Instance);
        await _outbox.StartAsync(CancellationToken.None);
        _registry = new RegistryClient(new InProcessRegistryInvoker(new ModelRegistry(_store, _artifacts, new PromotionGate(new PromotionGateOptions()), _outbox)));
        _trusted = Path.Combine(_root, "trusted.pub");
        File.WriteAllText(_trusted, _key.PublicKeyPem);

        // A champion every replica serves: the registry knows the model, the log announces the version.
        _store.EnsureModel(Model, Contracts.Registry.V1.TaskType.BinaryClassification);
        var promoted = new ModelPromoted { Model = Model, Version = 1, ArtifactSha256 = await StoreSignedModelAsync(), FeatureView = "view" };
        await _log.AppendAsync(Topics.ModelsPromoted, [new OutgoingRecord(Model, EventEnvelopes.Wrap(promoted, Model, "test").ToByteArray())]);
    }

    [Fact]
    public async Task A_policy_set_through_one_replica_is_applied_by_every_replica_and_audited_by_the_registry()
    {
        var a = await StartReplicaAsync("a");
        var b = await StartReplicaAsync("b");

        var answer = await a.SetTrafficPolicyAsync(new SetTrafficPolicyRequest { Model = Model, CanaryPercent = 30, Shadow = true, Reason = "try the retrain" });
        answer.Models.Single().Should().Match<LoadedModel>(m => m.CanaryPercent == 30 && m.Shadow, "the answer comes once the replica asked has applied it");

        await Eventually.WaitForAsync(async () => (await b.GetServingStatusAsync(new GetServingStatusRequest())).Models.Single(),
            m => m.CanaryPercent == 30 && m.Shadow, "the other replica applies the policy too", Deadline, TimeSpan.FromMilliseconds(50));
        var audited = _store.Audit(Model, 0).Should().ContainSingle(e => e.Action == "TrafficPolicyChanged").Subject;
        audited.Reason.Should().Be("try the retrain");
        audited.Actor.Should().Be("anonymous", "authentication is off in these hosts: nobody was proven");
        _store.GetModel(Model)!.TrafficPolicy.CanaryPercent.Should().Be(30);
        Directory.EnumerateFiles(_root, "traffic.json", SearchOption.AllDirectories).Should().BeEmpty("no replica keeps a policy of its own");
    }

    [Fact]
    public async Task A_replica_started_after_the_change_gets_the_latest_policy_back_from_the_log()
    {
        var a = await StartReplicaAsync("a");
        await a.SetTrafficPolicyAsync(new SetTrafficPolicyRequest { Model = Model, CanaryPercent = 10 });
        await a.SetTrafficPolicyAsync(new SetTrafficPolicyRequest { Model = Model, CanaryPercent = 40, Shadow = true });
        foreach (var replica in _replicas) await replica.StopAsync();

        // A moved pod: a new work directory, nothing but the log and the registry to go by.
        var moved = await StartReplicaAsync("moved");
        await Eventually.WaitForAsync(async () => (await moved.GetServingStatusAsync(new GetServingStatusRequest())).Models.Single(),
            m => m.CanaryPercent == 40 && m.Shadow, "the latest policy is replayed, not an earlier one", Deadline, TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public async Task Refusals_come_from_the_replica_or_the_registry_with_their_messages_and_change_nothing()
    {
        var a = await StartReplicaAsync("a");
        var tooMuch = async () => await a.SetTrafficPolicyAsync(new SetTrafficPolicyRequest { Model = Model, CanaryPercent = 150 });
        var error = (await tooMuch.Should().ThrowAsync<RpcException>()).Which;
        error.StatusCode.Should().Be(StatusCode.InvalidArgument);
        error.Status.Detail.Should().Contain("between 0 and 100");
        var unknown = async () => await a.SetTrafficPolicyAsync(new SetTrafficPolicyRequest { Model = "nope", CanaryPercent = 10 });
        (await unknown.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.NotFound);
        _store.Audit(Model, 0).Should().BeEmpty();
    }

    /// <summary>Starts a Serving host of its own (own work directory and ports) on the shared log, artifacts and registry.</summary>
    private async Task<Contracts.Serving.V1.Serving.ServingClient> StartReplicaAsync(string name)
    {
        var options = new ServiceHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = Path.Combine(_root, name) };
        var host = ServiceHost.Build(options, [Contracts.Serving.V1.Serving.Descriptor.FullName], (services, data) =>
        {
            services.AddSingleton<IEventLog>(_log);
            services.AddSingleton<IArtifactStore>(_artifacts);
            services.AddSingleton(_registry);
            services.AddCascadeServing(Path.Combine(data, "serving"), o => o.TrustedKeys = _trusted);
        }, _ => { });
        _replicas.Add(host);
        await host.StartAsync();
        var client = new Contracts.Serving.V1.Serving.ServingClient(GrpcChannel.ForAddress(ServiceHost.GetAddresses(host, options.BindAddress).Grpc));
        await Eventually.WaitForAsync(async () => (await client.GetServingStatusAsync(new GetServingStatusRequest())).Models.Count,
            count => count == 1, $"replica {name} serves the champion", Deadline, TimeSpan.FromMilliseconds(50));
        return client;
    }

    /// <summary>Trains a small model, writes its artifact signed by the trusted key, and stores it.</summary>
    private async Task<string> StoreSignedModelAsync()
    {
        var random = new Random(5);
        const int rows = 300;
        var features = new float[rows * 3];
        var labels = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < 3; c++) features[r * 3 + c] = (float)random.NextDouble();
            labels[r] = features[r * 3] + features[r * 3 + 1] > 1 ? 1 : 0;
        }
        var train = new TabularData(features, rows, ["a", "b", "c"], labels);
        var result = XGBoostTrainer.Train(train, null, new TrainingOptions { Parameters = new() { ["objective"] = "binary:logistic" }, Rounds = 5 });
        var directory = Path.Combine(_root, "built");
        using (result.Model) ArtifactWriter.Write(directory, result, train, null, "label", signer: _key);
        return (await _artifacts.PutAsync(new MemoryStream(ArtifactArchive.Pack(directory)))).Sha256;
    }

    public async Task DisposeAsync()
    {
        foreach (var replica in _replicas) await replica.DisposeAsync();
        await _outbox.StopAsync(CancellationToken.None);
        _store.Dispose();
        await _log.DisposeAsync();
        _key.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
