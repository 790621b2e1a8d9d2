using Cascade.Contracts;
using System.Diagnostics;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Training.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Spectre.Console;

namespace Cascade.Cli.Demo;

/// <summary>
/// Sets up the demo's dataset, feature view and training policy, then streams the synthetic records through
/// client-streaming <c>Ingest</c> at a steady rate (a live source, not a bulk load), with a progress bar.
/// </summary>
internal sealed class RecordStreamer(Stopwatch clock)
{
    private const int BatchSize = 250;
    private long _sent;

    /// <summary>Records sent so far (read from other threads).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Demo clock (ms) when the first drifted record was sent; null before.</summary>
    public double? DriftSentMs { get; private set; }

    public static Task SetUpAsync(GrpcChannel channel, CancellationToken cancellationToken) => SetUpAsync(CascadeChannels.Single(channel), cancellationToken);

    public static async Task SetUpAsync(CascadeChannels channels, CancellationToken cancellationToken)
    {
        await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(channels.Ingestion).RegisterDatasetAsync(new RegisterDatasetRequest { Spec = DemoDataset.Spec() }, GrpcCalls.Within(TimeSpan.FromSeconds(30), cancellationToken));
        var view = await new Cascade.Contracts.Features.V1.Features.FeaturesClient(channels.Features).ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = DemoDataset.FeatureViewSpec() }, GrpcCalls.Within(TimeSpan.FromSeconds(30), cancellationToken));
        AnsiConsole.MarkupLineInterpolated($"feature view {view.Spec.Name} v{view.Meta.Version}: {string.Join(", ", view.Meta.FeatureNames)}");
        await new Cascade.Contracts.Training.V1.Training.TrainingClient(channels.Training).PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = DemoDataset.TrainingPolicy() }, GrpcCalls.Within(TimeSpan.FromSeconds(30), cancellationToken));
        AnsiConsole.MarkupLineInterpolated($"training policy for {DemoDataset.Model}: retrain every 10,000 new labeled rows on the latest 10,000, and 2 s after a drift alert");
    }

    public async Task<IngestResponse> StreamAsync(GrpcChannel channel, int events, int driftAt, int rate, CancellationToken cancellationToken)
    {
        var stream = new SyntheticStream(driftAt);
        var started = clock.Elapsed;
        IngestResponse? response = null;
        await AnsiConsole.Progress().StartAsync(async progress =>
        {
            var task = progress.AddTask($"ingesting {events:N0} records at {rate:N0}/s into {DemoDataset.Name} (drift at {driftAt:N0})", maxValue: events);
            using var call = new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(channel).Ingest(cancellationToken: cancellationToken);
            for (var sent = 0; sent < events; sent += BatchSize)
            {
                // Pace by the schedule, not by sleeping a fixed time per batch, so slow batches do not drift the rate.
                var due = started + TimeSpan.FromSeconds((double)sent / rate);
                var wait = due - clock.Elapsed;
                if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken);
                var request = new IngestRequest { Dataset = DemoDataset.Name };
                var end = Math.Min(events, sent + BatchSize);
                for (var i = sent; i < end; i++)
                {
                    request.Records.Add(DemoDataset.ToRecord(stream.Next()));
                }
                await call.RequestStream.WriteAsync(request, cancellationToken);
                if (DriftSentMs is null && end > driftAt) DriftSentMs = clock.Elapsed.TotalMilliseconds;
                Interlocked.Exchange(ref _sent, end);
                task.Value = end;
            }
            await call.RequestStream.CompleteAsync();
            response = await call.ResponseAsync;
        });
        var seconds = (clock.Elapsed - started).TotalSeconds;
        var watermark = string.Join(" ", response!.Watermark.Partitions.Select(p => $"p{p.Partition}:{p.Offset}"));
        AnsiConsole.MarkupLineInterpolated($"ingested [bold]{response.Accepted:N0}[/] records ({response.Duplicates} duplicates, {response.Errors.Count} rejected) in {seconds:F1} s = {response.Accepted / seconds:N0} records/s; watermark {watermark}");
        return response;
    }
}
