using Cascade.Cli.Demo;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Monitoring.V1;
using Cascade.Contracts.Serving.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Record = Cascade.Contracts.Ingestion.V1.Record;

namespace Cascade.EndToEnd.Tests;

/// <summary>
/// Stops the all-in-one host in the middle of a record stream and starts it again on the same data directory: the
/// producer re-sends everything (at-least-once), and afterwards every record is stored exactly once, materialized
/// exactly once, and the champion is served again — from the promotion log, before any new training.
/// </summary>
public sealed class HostRestartTests : IAsyncDisposable
{
    private const int Total = 16_000;
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-restart-").FullName;
    private readonly Record[] _records;

    public HostRestartTests()
    {
        var stream = new SyntheticStream(driftAt: long.MaxValue);
        _records = Enumerable.Range(0, Total).Select(_ => DemoDataset.ToRecord(stream.Next())).ToArray();
    }

    [Fact]
    public async Task A_host_stopped_mid_stream_resumes_without_losing_or_double_counting_a_record_and_serves_its_champion_again()
    {
        int championVersion;
        await using (var first = await InProcessHost.StartAsync(_data))
        {
            await RecordStreamer.SetUpAsync(first.Channel, CancellationToken.None);
            await IngestAsync(first.Channel, _records[..11_000]);
            championVersion = await AwaitServedAsync(first.Channel, TimeSpan.FromMinutes(2));

            // Stop the host while a producer is in the middle of the next records.
            using var stop = new CancellationTokenSource();
            var producer = Task.Run(async () =>
            {
                try { await IngestAsync(first.Channel, _records[11_000..], batch: 100, pause: TimeSpan.FromMilliseconds(5), stop.Token); }
                catch (Exception ex) when (ex is RpcException or OperationCanceledException or IOException or HttpRequestException) { }
            });
            await Task.Delay(TimeSpan.FromMilliseconds(300));
            await first.Host.StopAsync();
            await stop.CancelAsync();
            await producer;
        }

        await using var second = await InProcessHost.StartAsync(_data);
        (await AwaitServedAsync(second.Channel, TimeSpan.FromSeconds(30))).Should().Be(championVersion, "the champion is learned again from the promotion log");
        // Monitoring restores its checkpoint when its consumer starts, beside Serving's own start: wait for it, not for a race.
        var monitoring = new Cascade.Contracts.Monitoring.V1.Monitoring.MonitoringClient(second.Channel);
        var health = await Eventually.WaitForAsync(
            async () => await monitoring.GetModelHealthAsync(new GetModelHealthRequest { Model = DemoDataset.Model }),
            h => h.Version == championVersion, "monitoring resumes watching the champion from its checkpoint", TimeSpan.FromSeconds(30));
        health.Version.Should().Be(championVersion);

        // The producer did not see its last acks: it sends everything again.
        var resent = await IngestAsync(second.Channel, _records);
        (resent.Accepted + resent.Duplicates).Should().Be(Total);
        resent.Watermark.Partitions.Sum(p => p.Offset).Should().Be(Total, "every record is in the data topic exactly once");

        var status = await AwaitMaterializedAsync(second.Channel, resent.Watermark, TimeSpan.FromMinutes(1));
        status.LabeledRows.Should().Be(Total, "every record became exactly one labeled offline row");
        var lookup = await new Cascade.Contracts.Features.V1.Features.FeaturesClient(second.Channel).GetOnlineFeaturesAsync(new GetOnlineFeaturesRequest { FeatureView = DemoDataset.FeatureView, EntityIds = { _records[^1].EntityId } });
        lookup.Entities[0].Values.Should().NotBeEmpty("the online store is rebuilt from the feature checkpoint");
    }

    private static async Task<IngestResponse> IngestAsync(GrpcChannel channel, IReadOnlyList<Record> records, int batch = 500, TimeSpan pause = default, CancellationToken cancellationToken = default)
    {
        using var call = new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(channel).Ingest(cancellationToken: cancellationToken);
        for (var i = 0; i < records.Count; i += batch)
        {
            var request = new IngestRequest { Dataset = DemoDataset.Name };
            request.Records.Add(records.Skip(i).Take(batch));
            await call.RequestStream.WriteAsync(request, cancellationToken);
            if (pause > TimeSpan.Zero) await Task.Delay(pause, cancellationToken);
        }
        await call.RequestStream.CompleteAsync();
        return await call.ResponseAsync;
    }

    private static async Task<int> AwaitServedAsync(GrpcChannel channel, TimeSpan limit)
    {
        var served = await Eventually.WaitForAsync(
            async () => (await new Cascade.Contracts.Serving.V1.Serving.ServingClient(channel).GetServingStatusAsync(new GetServingStatusRequest())).Models.FirstOrDefault(m => m.Model == DemoDataset.Model),
            model => model is not null, $"{DemoDataset.Model} is served", limit, TimeSpan.FromMilliseconds(100));
        return served!.Version;
    }

    private static Task<MaterializationStatus> AwaitMaterializedAsync(GrpcChannel channel, Contracts.Common.V1.Watermark target, TimeSpan limit) =>
        Eventually.WaitForAsync(
            async () => await new Cascade.Contracts.Features.V1.Features.FeaturesClient(channel).GetMaterializationStatusAsync(new GetMaterializationStatusRequest { FeatureView = DemoDataset.FeatureView }),
            status =>
            {
                var reached = status.Watermark.Partitions.ToDictionary(p => p.Partition, p => p.Offset);
                return target.Partitions.All(p => reached.GetValueOrDefault(p.Partition) >= p.Offset);
            },
            "Features catches up with the ingest watermark", limit, TimeSpan.FromMilliseconds(50));

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_data, recursive: true);
        return ValueTask.CompletedTask;
    }
}
