using Cascade.Cli.Demo;
using Cascade.Cli.Distributed;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Serving.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cascade.Distributed.Tests;

/// <summary>
/// kill -9 of a service process in the middle of a stream: the supervisor restarts it, it resumes from its
/// checkpoint, and afterwards every record was materialized exactly once while serving kept answering.
/// </summary>
public sealed class ProcessCrashTests
{
    private const int Total = 12_000;

    [Fact]
    public async Task The_features_process_killed_mid_stream_resumes_without_losing_or_double_counting_a_record()
    {
        var run = IsolatedCluster.NewNamespace("crash");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await using var cluster = await IsolatedCluster.StartAsync(run, timeout.Token);
        var channels = cluster.Channels;
        await RecordStreamer.SetUpAsync(channels, timeout.Token);
        var stream = new SyntheticStream(driftAt: long.MaxValue);
        var records = Enumerable.Range(0, Total).Select(_ => DemoDataset.ToRecord(stream.Next())).ToArray();

        var producer = ClusterDriver.IngestAsync(channels, records, 0, Total, pause: TimeSpan.FromMilliseconds(150), timeout.Token);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        cluster.Kill("features");
        await producer;

        var status = await ClusterDriver.AwaitMaterializedAsync(channels, Total, TimeSpan.FromMinutes(3));
        status.LabeledRows.Should().Be(Total, "every record became exactly one labeled row, across the crash");
        cluster.Restarts.GetValueOrDefault("features").Should().Be(1);
        var lookup = await new Cascade.Contracts.Features.V1.Features.FeaturesClient(channels.Features).GetOnlineFeaturesAsync(new GetOnlineFeaturesRequest { FeatureView = DemoDataset.FeatureView, EntityIds = { records[^1].EntityId } });
        lookup.Entities[0].Found.Should().BeTrue();

        // The labeled-rows trigger trained a model on the data; serving answers by entity from Redis.
        await ClusterDriver.AwaitServedModelAsync(channels, TimeSpan.FromMinutes(2));
        var answer = await new Cascade.Contracts.Serving.V1.Serving.ServingClient(channels.Serving).PredictAsync(new PredictRequest { Model = DemoDataset.Model, EntityId = records[0].EntityId });
        answer.Outputs.Should().ContainSingle();
    }
}
