using System.Diagnostics;
using Cascade.Cli.Demo;
using Cascade.Cli.Distributed;
using Cascade.Contracts;
using Cascade.Contracts.Events;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Serving.V1;
using Cascade.Contracts.Training.V1;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Kafka;
using Cascade.Serving.Domain;
using Microsoft.Extensions.DependencyInjection;

namespace Cascade.Bench;

/// <summary>The server <see cref="PredictCeilingBench"/> loads: where Serving runs, and how its cost and its log are read.</summary>
internal interface IPredictServer : IAsyncDisposable
{
    /// <summary>What is measured, for the report.</summary>
    string Description { get; }

    CascadeChannels Channels { get; }

    /// <summary>Serving's gRPC endpoint (HTTP/2), e.g. <c>http://127.0.0.1:41234</c>.</summary>
    string GrpcAddress { get; }

    /// <summary>Serving's HTTP endpoint (HTTP/1.1: REST, <c>/healthz</c>).</summary>
    string HttpAddress { get; }

    /// <summary>CPU used so far by the process that answers (all of its threads, its background work included).</summary>
    TimeSpan ProcessorTime();

    /// <summary>Bytes allocated so far by that process; null when it is another process.</summary>
    long? AllocatedBytes();

    /// <summary>Predictions on the predictions topic.</summary>
    Task<long> LoggedPredictionsAsync();

    /// <summary>Predictions Serving answered but did not log, where it can be read; null where not.</summary>
    long? Dropped();

    /// <summary>
    /// The demo's dataset, feature view and model (v1, trained on 10,500 records), with retraining on drift off so no
    /// training job runs during the load; returns one real row of the model's features, in its order.
    /// </summary>
    async Task<float[]> PrepareChampionAsync()
    {
        await RecordStreamer.SetUpAsync(Channels, CancellationToken.None);
        var policy = DemoDataset.TrainingPolicy();
        policy.Triggers.OnDrift = false; // a row repeated 100,000s of times is drift to Monitoring; retraining would share the cores with the load
        await new Contracts.Training.V1.Training.TrainingClient(Channels.Training).PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = policy });
        var stream = new SyntheticStream(driftAt: long.MaxValue);
        string? entity = null;
        for (var batch = 0; batch < 3; batch++)
        {
            var request = new IngestRequest { Dataset = DemoDataset.Name };
            request.Records.Add(Enumerable.Range(0, 3_500).Select(_ => DemoDataset.ToRecord(stream.Next())));
            entity ??= request.Records[0].EntityId;
            await new Contracts.Ingestion.V1.Ingestion.IngestionClient(Channels.Ingestion).IngestBatchAsync(request);
        }
        var serving = new Contracts.Serving.V1.Serving.ServingClient(Channels.Serving);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(3))
        {
            var status = await serving.GetServingStatusAsync(new GetServingStatusRequest());
            if (status.Models.Any(m => m.Model == DemoDataset.Model)) return await RowAsync(entity!);
            await Task.Delay(200);
        }
        throw new TimeoutException("The demo model was not served within 3 minutes.");
    }

    /// <summary>The entity's features as the online store holds them, in the model's order.</summary>
    Task<float[]> RowAsync(string entity);
}

/// <summary>The all-in-one host in this process: every service, the embedded log, Monitoring reading every prediction.</summary>
internal sealed class InProcessPredictServer(BenchHost host) : IPredictServer
{
    private readonly IEventLog _log = host.Services.GetRequiredService<IEventLog>();

    public string Description => "the all-in-one host (every service in one process, the embedded log; Monitoring reads every prediction in it)";

    public CascadeChannels Channels { get; } = CascadeChannels.Single(host.Channel);

    public string GrpcAddress => host.GrpcAddress;

    public string HttpAddress => host.HttpAddress;

    public static async Task<InProcessPredictServer> StartAsync() => new(await BenchHost.StartAsync());

    public TimeSpan ProcessorTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    public long? AllocatedBytes() => GC.GetTotalAllocatedBytes(precise: false);

    public async Task<long> LoggedPredictionsAsync() => (await _log.GetEndOffsetsAsync(Topics.PredictionsLogged)).Values.Sum();

    public long? Dropped() => host.Services.GetRequiredService<PredictionLog>().Dropped;

    public async Task<float[]> RowAsync(string entity)
    {
        var served = host.Services.GetRequiredService<ModelCatalog>().Find(DemoDataset.Model)!;
        return await host.Services.GetRequiredService<Predictor>().EntityFeaturesAsync(served, entity, CancellationToken.None);
    }

    public ValueTask DisposeAsync() => host.DisposeAsync();
}

/// <summary>
/// The Serving process of the distributed deployment (the seven processes of <c>tye.yaml</c> on the servers of
/// <c>./cascade infra up</c>): predictions go to Kafka, and Monitoring reads them in a process of its own. Its CPU is
/// Serving's process alone; the broker and the other processes share the same cores.
/// </summary>
internal sealed class DistributedPredictServer : IPredictServer
{
    private readonly DistributedCluster _cluster;
    private readonly KafkaEventLog _kafka;
    private readonly Process _serving;

    private DistributedPredictServer(DistributedCluster cluster, Process serving)
    {
        _cluster = cluster;
        _serving = serving;
        var spec = cluster.Services.First(s => s.Name == "serving");
        GrpcAddress = $"http://127.0.0.1:{spec.GrpcPort}";
        HttpAddress = $"http://127.0.0.1:{spec.HttpPort}";
        _kafka = new KafkaEventLog(new KafkaEventLogOptions()); // the broker of ./cascade infra up, as the processes use it
    }

    public string Description => "the Serving process of the distributed deployment (predictions to Kafka; Monitoring, the broker and the other services in processes of their own on the same cores)";

    public CascadeChannels Channels => _cluster.Channels;

    public string GrpcAddress { get; }

    public string HttpAddress { get; }

    public static async Task<DistributedPredictServer> StartAsync()
    {
        var cluster = await DistributedCluster.StartFreshAsync(Topology.FindRepositoryRoot(), CancellationToken.None);
        var serving = cluster.ProcessIdOf("serving") ?? throw new InvalidOperationException("The Serving process is not running.");
        return new DistributedPredictServer(cluster, Process.GetProcessById(serving));
    }

    public TimeSpan ProcessorTime()
    {
        _serving.Refresh();
        return _serving.TotalProcessorTime;
    }

    public long? AllocatedBytes() => null;

    public async Task<long> LoggedPredictionsAsync() => (await _kafka.GetEndOffsetsAsync(Topics.PredictionsLogged)).Values.Sum();

    public long? Dropped() => null;

    public async Task<float[]> RowAsync(string entity)
    {
        var features = new Contracts.Features.V1.Features.FeaturesClient(Channels.Features);
        var online = await features.GetOnlineFeaturesAsync(new GetOnlineFeaturesRequest { FeatureView = DemoDataset.FeatureView, EntityIds = { entity } });
        var row = online.Entities.Single().Values.Select(v => (float)v).ToArray();
        // The demo model reads its view's features in the view's order; make sure, by the answer for the entity.
        var serving = new Contracts.Serving.V1.Serving.ServingClient(Channels.Serving);
        var byEntity = await serving.PredictAsync(new PredictRequest { Model = DemoDataset.Model, RequestId = "bench-check", EntityId = entity });
        var inline = await serving.PredictAsync(new PredictRequest { Model = DemoDataset.Model, RequestId = "bench-check", Features = new FeatureVector { Values = { row } } });
        if (byEntity.Outputs[0] != inline.Outputs[0]) throw new InvalidOperationException($"The view's row answers {inline.Outputs[0]}, the entity {byEntity.Outputs[0]}: not the model's feature order.");
        return row;
    }

    public async ValueTask DisposeAsync()
    {
        _serving.Dispose();
        await _kafka.DisposeAsync();
        await _cluster.DisposeAsync();
    }
}
