using Cascade.Contracts;
using System.Diagnostics;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Cli.Specs.Apply;
using Grpc.Core;
using Grpc.Net.Client;
using Spectre.Console;

namespace Cascade.Cli.Demo;

/// <summary>
/// Sets up the demo's dataset, feature view and training policy (applying <c>Demo/demo.yaml</c>), then streams the synthetic records through
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

    /// <summary>Applies <c>Demo/demo.yaml</c> as <c>./cascade apply</c> would: planned (server-side dry run), then applied in order.</summary>
    public static async Task SetUpAsync(CascadeChannels channels, CancellationToken cancellationToken)
    {
        var gateway = new SpecGateway(channels);
        var plan = await new SpecPlanner(gateway).PlanAsync(DemoSpec.Objects, cancellationToken);
        if (plan.HasRefusals)
        {
            throw new InvalidOperationException($"The host refuses {DemoSpec.SourcePath}: {string.Join("; ", plan.Entries.Where(e => e.Action == PlanAction.Refused).Select(e => $"{e.Object.Id}: {e.Reason}"))}");
        }
        await new SpecApplier(gateway).ApplyAsync(plan, cancellationToken);
        var view = await new Cascade.Contracts.Features.V1.Features.FeaturesClient(channels.Features).GetFeatureViewAsync(new GetFeatureViewRequest { Name = DemoDataset.FeatureView }, GrpcCalls.Within(TimeSpan.FromSeconds(30), cancellationToken));
        AnsiConsole.MarkupLineInterpolated($"applied {DemoSpec.SourcePath}: {string.Join(", ", plan.Entries.Select(e => $"{e.Object.Id} {e.Action.ToString().ToLowerInvariant()}"))}");
        AnsiConsole.MarkupLineInterpolated($"feature view {view.Spec.Name} v{view.Meta.Version}: {string.Join(", ", view.Meta.FeatureNames)}");
        AnsiConsole.MarkupLineInterpolated($"training policy for {DemoDataset.Model}: retrain every 10,000 new labeled rows on the latest 10,000, and 2 s after a drift alert");
    }

    /// <summary>The synthetic data's seed when none is given: the README's demo tells the same story every run.</summary>
    public const int DefaultSeed = 42;

    public async Task<IngestResponse> StreamAsync(GrpcChannel channel, int events, int driftAt, int rate, CancellationToken cancellationToken, int seed = DefaultSeed)
    {
        var stream = new SyntheticStream(driftAt, seed: seed);
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
