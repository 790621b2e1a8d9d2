using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Cascade.Cli.Demo;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Grpc;
using Cascade.Grpc.Client;
using Cascade.Grpc.Health;
using Cascade.Grpc.Server;
using Cascade.Contracts.Features.V1;
using Cascade.Features.Grpc;
using Cascade.Contracts.Registry.V1;
using Cascade.Contracts.Training.V1;
using Cascade.Host;
using Cascade.Registry.Grpc;
using Cascade.Contracts.Serving.V1;
using Cascade.Serving.Grpc;
using Cascade.Training.Grpc;
using Cascade.Ingestion.Grpc;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Cascade.Cli.Commands;

/// <summary>
/// <c>cascade demo</c>: the README's main job. Today it starts the all-in-one host, proves a gRPC health
/// round trip through Cascade's own client and lists which stages of the cascade exist yet; it grows with
/// the services until it streams the whole scenario (ingest → features → train → promote → swap → drift → retrain).
/// </summary>
internal static class DemoCommand
{
    /// <summary>The stages of the cascade, in order, and whether this build serves them.</summary>
    private static readonly (string Stage, string Service)[] Stages =
    [
        ("ingest records (gRPC client-streaming)", "cascade.ingestion.v1.Ingestion"),
        ("materialize features (online + offline)", "cascade.features.v1.Features"),
        ("train on cpu/gpu workers", "cascade.training.v1.Training"),
        ("register, gate and promote", "cascade.registry.v1.Registry"),
        ("serve and hot-swap (Cascade + OIP v2)", "inference.GRPCInferenceService"),
        ("detect drift and alert", "cascade.monitoring.v1.Monitoring"),
    ];

    /// <summary>Registers the demo dataset and streams the synthetic records through client-streaming Ingest, with a progress bar.</summary>
    private static async Task<(IngestResponse Response, double Seconds)> StreamRecordsAsync(GrpcChannel channel, int events, int driftAt, CancellationToken cancellationToken)
    {
        await channel.UnaryAsync(IngestionMethods.RegisterDataset, new RegisterDatasetRequest { Spec = DemoDataset.Spec() }, CallOptions.WithTimeout(TimeSpan.FromSeconds(30), cancellationToken));
        var view = await channel.UnaryAsync(FeaturesMethods.ApplyFeatureView, new ApplyFeatureViewRequest { Spec = DemoDataset.FeatureViewSpec() }, CallOptions.WithTimeout(TimeSpan.FromSeconds(30), cancellationToken));
        AnsiConsole.MarkupLineInterpolated($"feature view {view.Spec.Name} v{view.Meta.Version}: {string.Join(", ", view.Meta.FeatureNames)}");
        await channel.UnaryAsync(TrainingMethods.PutTrainingPolicy, new PutTrainingPolicyRequest { Spec = DemoDataset.TrainingPolicy() }, CallOptions.WithTimeout(TimeSpan.FromSeconds(30), cancellationToken));
        AnsiConsole.MarkupLineInterpolated($"training policy for {DemoDataset.Model}: retrain every 10,000 new labeled rows on the latest 10,000");
        var stream = new SyntheticStream(driftAt);
        const int BatchSize = 500;
        var stopwatch = Stopwatch.StartNew();
        IngestResponse? response = null;
        await AnsiConsole.Progress().StartAsync(async progress =>
        {
            var task = progress.AddTask($"ingesting {events:N0} records into {DemoDataset.Name} (drift at {driftAt:N0})", maxValue: events);
            using var call = channel.ClientStreaming(IngestionMethods.Ingest, new CallOptions(CancellationToken: cancellationToken));
            for (var sent = 0; sent < events; sent += BatchSize)
            {
                var request = new IngestRequest { Dataset = DemoDataset.Name };
                for (var i = sent; i < Math.Min(events, sent + BatchSize); i++)
                {
                    request.Records.Add(DemoDataset.ToRecord(stream.Next()));
                }
                await call.RequestStream.WriteAsync(request, cancellationToken);
                task.Value = Math.Min(events, sent + BatchSize);
            }
            await call.RequestStream.CompleteAsync();
            response = await call.ResponseAsync;
        });
        var ingestSeconds = stopwatch.Elapsed.TotalSeconds;
        var watermark = string.Join(" ", response!.Watermark.Partitions.Select(p => $"p{p.Partition}:{p.Offset}"));
        AnsiConsole.MarkupLineInterpolated($"ingested [bold]{response.Accepted:N0}[/] records ({response.Duplicates} duplicates, {response.Errors.Count} rejected) in {ingestSeconds:F1} s = {response.Accepted / ingestSeconds:N0} records/s; watermark {watermark}");
        return (response, ingestSeconds);
    }

    /// <summary>
    /// A steady prediction load by entity id, from the moment the first model is served until <paramref name="stop"/>:
    /// counts predictions, failed requests and the versions that answered.
    /// </summary>
    private sealed class PredictionLoad
    {
        public long Predictions;
        public long Failed;
        public readonly System.Collections.Concurrent.ConcurrentDictionary<int, long> ByVersion = new();
        public readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> Errors = new();

        public async Task RunAsync(GrpcChannel channel, CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                var status = await channel.UnaryAsync(ServingMethods.GetServingStatus, new GetServingStatusRequest(), CallOptions.WithTimeout(TimeSpan.FromSeconds(10)));
                if (status.Models.Any(m => m.Model == DemoDataset.Model)) break;
                try { await Task.Delay(50, stop); } catch (OperationCanceledException) { return; }
            }
            var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        var response = await channel.UnaryAsync(ServingMethods.Predict, new PredictRequest { Model = DemoDataset.Model, EntityId = $"device-{Random.Shared.Next(500):D4}" }, CallOptions.WithTimeout(TimeSpan.FromSeconds(10)));
                        Interlocked.Increment(ref Predictions);
                        ByVersion.AddOrUpdate(response.Version, 1, (_, n) => n + 1);
                    }
                    catch (RpcException ex)
                    {
                        Interlocked.Increment(ref Failed);
                        Errors.TryAdd($"{ex.StatusCode}: {ex.Status.Detail}", 0);
                    }
                }
            })).ToArray();
            await Task.WhenAll(workers);
        }
    }

    /// <summary>Checks the Open Inference Protocol v2 path the way a KServe/Triton client would.</summary>
    private static async Task<bool> CheckOpenInferenceAsync(GrpcChannel channel, CancellationToken cancellationToken)
    {
        var metadata = await channel.UnaryAsync(ServingMethods.ModelMetadata, new Inference.ModelMetadataRequest { Name = DemoDataset.Model }, CallOptions.WithTimeout(TimeSpan.FromSeconds(10), cancellationToken));
        var features = (int)metadata.Inputs[0].Shape[1];
        var request = new Inference.ModelInferRequest { ModelName = DemoDataset.Model, Id = "demo-oip" };
        request.Inputs.Add(new Inference.ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32", Shape = { 2, features }, Contents = new Inference.InferTensorContents { Fp32Contents = { Enumerable.Range(0, 2 * features).Select(i => (float)(i % 3) - 1) } } });
        var response = await channel.UnaryAsync(ServingMethods.ModelInfer, request, CallOptions.WithTimeout(TimeSpan.FromSeconds(10), cancellationToken));
        var wrong = request.Clone();
        wrong.Inputs[0].Shape[1] = features - 1;
        wrong.Inputs[0].Contents.Fp32Contents.Clear();
        wrong.Inputs[0].Contents.Fp32Contents.Add(new float[2 * (features - 1)]);
        StatusCode? refused = null;
        try { await channel.UnaryAsync(ServingMethods.ModelInfer, wrong, CallOptions.WithTimeout(TimeSpan.FromSeconds(10), cancellationToken)); }
        catch (RpcException ex) { refused = ex.StatusCode; }
        AnsiConsole.MarkupLineInterpolated($"OIP v2 ModelInfer on {metadata.Name} v{response.ModelVersion}: output {string.Join(", ", response.Outputs[0].Contents.Fp32Contents.Select(v => v.ToString("F4")))}; wrong feature count → {refused}");
        return refused == StatusCode.InvalidArgument;
    }

    /// <summary>Waits until no training job is queued or running, then shows the registry's view of the model.</summary>
    private static async Task<(int Versions, int Promotions, int Jobs, int FailedJobs)> AwaitTrainingAsync(GrpcChannel channel, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        ListJobsResponse jobs;
        while (true)
        {
            jobs = await channel.UnaryAsync(TrainingMethods.ListJobs, new ListJobsRequest { Model = DemoDataset.Model }, CallOptions.WithTimeout(TimeSpan.FromSeconds(10), cancellationToken));
            if (jobs.Jobs.All(j => j.Status.State is JobState.Succeeded or JobState.Failed or JobState.Cancelled) || stopwatch.Elapsed > TimeSpan.FromMinutes(5))
            {
                break;
            }
            await Task.Delay(250, cancellationToken);
        }
        var versions = await channel.UnaryAsync(RegistryMethods.ListModelVersions, new ListModelVersionsRequest { Model = DemoDataset.Model }, CallOptions.WithTimeout(TimeSpan.FromSeconds(10), cancellationToken));
        var audit = await channel.UnaryAsync(RegistryMethods.GetAuditLog, new GetAuditLogRequest { Model = DemoDataset.Model }, CallOptions.WithTimeout(TimeSpan.FromSeconds(10), cancellationToken));
        var table = new Table().AddColumns("version", "status", "trigger", "training rows", "holdout AUC", "champion AUC (same holdout)", "duration");
        foreach (var version in versions.Versions)
        {
            var holdout = version.Spec.Holdout;
            table.AddRow($"v{version.Meta.Version}", version.Meta.Status.ToString(), Markup.Escape(version.Spec.Lineage.TriggerReason), version.Spec.Lineage.TrainingRows.ToString("N0"),
                holdout.CandidateMetrics.TryGetValue("auc", out var auc) ? auc.ToString("F4") : "-",
                holdout.ChampionMetrics.TryGetValue("auc", out var championAuc) ? $"{championAuc:F4} (v{holdout.ChampionVersion})" : "-",
                $"{version.Spec.Lineage.Duration.ToTimeSpan().TotalSeconds:F1} s");
        }
        AnsiConsole.Write(table);
        var promotions = audit.Entries.Count(e => e.Action is "Promoted" or "PromotedManually");
        var failed = jobs.Jobs.Count(j => j.Status.State == JobState.Failed);
        AnsiConsole.MarkupLineInterpolated($"{jobs.Jobs.Count} training jobs ({failed} failed), {versions.Versions.Count} model versions, {promotions} promotions");
        foreach (var job in jobs.Jobs.Where(j => j.Status.State == JobState.Failed))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]job {job.Id} failed:[/] {job.Status.Error}");
        }
        return (versions.Versions.Count, promotions, jobs.Jobs.Count, failed);
    }

    /// <summary>Waits until Features has materialized everything ingested; returns the wait after the last ingest ack.</summary>
    private static async Task<double> AwaitMaterializationAsync(GrpcChannel channel, IngestResponse ingested, CancellationToken cancellationToken)
    {
        var target = ingested.Watermark.Partitions.ToDictionary(p => p.Partition, p => p.Offset);
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < TimeSpan.FromMinutes(2))
        {
            var status = await channel.UnaryAsync(FeaturesMethods.GetMaterializationStatus, new GetMaterializationStatusRequest { FeatureView = DemoDataset.FeatureView }, CallOptions.WithTimeout(TimeSpan.FromSeconds(10), cancellationToken));
            var reached = status.Watermark.Partitions.ToDictionary(p => p.Partition, p => p.Offset);
            if (target.All(t => reached.GetValueOrDefault(t.Key) >= t.Value))
            {
                var lookup = await channel.UnaryAsync(FeaturesMethods.GetOnlineFeatures, new GetOnlineFeaturesRequest { FeatureView = DemoDataset.FeatureView, EntityIds = { "device-0001" } }, CallOptions.WithTimeout(TimeSpan.FromSeconds(10), cancellationToken));
                var entity = lookup.Entities[0];
                AnsiConsole.MarkupLineInterpolated($"features materialized up to the ingest watermark ({status.LabeledRows:N0} labeled training rows) {stopwatch.Elapsed.TotalMilliseconds:F0} ms after the last ack; online features of device-0001: {string.Join(", ", lookup.FeatureNames.Zip(entity.Values, (n, v) => $"{n}={v:F3}"))}");
                return stopwatch.Elapsed.TotalMilliseconds;
            }
            await Task.Delay(20, cancellationToken);
        }
        throw new TimeoutException("Features did not reach the ingest watermark within 2 minutes.");
    }

    public static Command Create()
    {
        var endpoints = new HostEndpointOptions();
        var events = new Option<int>("--events") { Description = "Records to stream.", DefaultValueFactory = _ => 40_000 };
        var driftAt = new Option<int>("--drift-at") { Description = "Record from which the concept drifts.", DefaultValueFactory = _ => 20_000 };
        var json = new Option<FileInfo?>("--json") { Description = "Write the summary as JSON to this file." };
        var keep = new Option<bool>("--keep") { Description = "Leave the host running afterwards (Ctrl-C stops it)." };
        var command = new Command("demo", "Run the cascade on the embedded all-in-one default and show it live.");
        endpoints.AddTo(command);
        command.Options.Add(events);
        command.Options.Add(driftAt);
        command.Options.Add(json);
        command.Options.Add(keep);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = endpoints.Read(parse);
            if (parse.GetResult(endpoints.DataDirectory) is null)
            {
                // Each demo starts from nothing, in its own directory, so re-runs tell the same story.
                options.DataDirectory = Path.Combine(".cascade", "demo");
            }
            if (Directory.Exists(options.DataDirectory))
            {
                AnsiConsole.MarkupLineInterpolated($"starting from an empty data directory: removing {options.DataDirectory}");
                Directory.Delete(options.DataDirectory, recursive: true);
            }
            await using var app = AllInOneHost.Build(options);
            await app.StartAsync(cancellationToken);
            var (grpc, http) = AllInOneHost.GetAddresses(app, options);
            AnsiConsole.MarkupLineInterpolated($"[green]host up[/]: gRPC {grpc}, HTTP {http}");

            using var channel = GrpcChannel.ForAddress(grpc);
            var stopwatch = Stopwatch.StartNew();
            var health = await channel.UnaryAsync(HealthMethods.Check, new HealthCheckRequest(), CallOptions.WithTimeout(TimeSpan.FromSeconds(10), cancellationToken));
            var roundTripMs = stopwatch.Elapsed.TotalMilliseconds;
            AnsiConsole.MarkupLineInterpolated($"grpc.health.v1.Health/Check → [bold]{health.Status}[/] in {roundTripMs:F1} ms");

            var served = app.Services.GetRequiredService<GrpcMethodRegistry>().ServiceNames.ToHashSet();
            var table = new Table().AddColumn("stage").AddColumn("service").AddColumn("status");
            var missing = new List<string>();
            foreach (var (stage, service) in Stages)
            {
                var built = served.Contains(service);
                if (!built)
                {
                    missing.Add(service);
                }
                table.AddRow(stage, service, built ? "[green]served[/]" : "[yellow]not built yet[/]");
            }
            AnsiConsole.Write(table);
            if (missing.Count > 0)
            {
                AnsiConsole.MarkupLineInterpolated($"[yellow]The cascade cannot run end to end yet:[/] {missing.Count} of {Stages.Length} services are not built; the stages that exist run below.");
            }

            using var stopLoad = new CancellationTokenSource();
            var load = new PredictionLoad();
            var loadTask = served.Contains(ServingMethods.ServiceName) ? load.RunAsync(channel, stopLoad.Token) : Task.CompletedTask;
            var ingested = served.Contains(IngestionMethods.ServiceName)
                ? await StreamRecordsAsync(channel, parse.GetValue(events), parse.GetValue(driftAt), cancellationToken) as (IngestResponse Response, double Seconds)?
                : null;
            double? materializedAfterMs = ingested is { } done && served.Contains(FeaturesMethods.ServiceName)
                ? await AwaitMaterializationAsync(channel, done.Response, cancellationToken)
                : null;
            var training = materializedAfterMs is not null && served.Contains(TrainingMethods.ServiceName)
                ? await AwaitTrainingAsync(channel, cancellationToken) as (int Versions, int Promotions, int Jobs, int FailedJobs)?
                : null;
            // Let the last promotion reach serving before the load stops.
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            stopLoad.Cancel();
            await loadTask;
            var serving = await channel.UnaryAsync(ServingMethods.GetServingStatus, new GetServingStatusRequest(), CallOptions.WithTimeout(TimeSpan.FromSeconds(10), cancellationToken));
            var swaps = serving.Models.FirstOrDefault(m => m.Model == DemoDataset.Model)?.Swaps ?? 0;
            var oipOk = swaps > 0 && await CheckOpenInferenceAsync(channel, cancellationToken);
            foreach (var error in load.Errors.Keys.Take(5))
            {
                AnsiConsole.MarkupLineInterpolated($"[red]failed request:[/] {error}");
            }
            AnsiConsole.MarkupLineInterpolated($"serving: {load.Predictions:N0} predictions during the run ({string.Join(", ", load.ByVersion.OrderBy(v => v.Key).Select(v => $"v{v.Key}: {v.Value:N0}"))}), {load.Failed} failed requests, {swaps} swaps");

            if (parse.GetValue(json) is { } file)
            {
                var summary = new Dictionary<string, object?>
                {
                    ["records_ingested"] = ingested?.Response.Accepted ?? 0,
                    ["records_rejected"] = ingested?.Response.Errors.Count ?? 0,
                    ["ingest_records_per_second"] = ingested is { } i ? Math.Round(i.Response.Accepted / Math.Max(0.001, i.Seconds), 0) : 0,
                    ["features_caught_up_after_last_ack_ms"] = materializedAfterMs is { } m ? Math.Round(m, 1) : null,
                    ["model"] = DemoDataset.Model,
                    ["training_jobs"] = training?.Jobs ?? 0,
                    ["failed_training_jobs"] = training?.FailedJobs ?? 0,
                    ["model_versions"] = training?.Versions ?? 0,
                    ["promotions"] = training?.Promotions ?? 0,
                    ["swaps"] = swaps,
                    ["predictions"] = load.Predictions,
                    ["failed_requests"] = load.Failed,
                    ["oip_model_infer_checked"] = oipOk,
                    ["deployment"] = "all-in-one",
                    ["health"] = health.Status.ToString(),
                    ["health_round_trip_ms"] = Math.Round(roundTripMs, 3),
                    ["services_served"] = served.OrderBy(s => s).ToArray(),
                    ["services_not_built"] = missing,
                    ["cascade_ran"] = missing.Count == 0,
                };
                await File.WriteAllTextAsync(file.FullName, JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }), cancellationToken);
                AnsiConsole.MarkupLineInterpolated($"summary written to {file.FullName}");
            }

            if (parse.GetValue(keep))
            {
                AnsiConsole.MarkupLine("--keep: the host stays up; Ctrl-C stops it.");
                try { await Task.Delay(Timeout.Infinite, cancellationToken); } catch (OperationCanceledException) { }
            }
            await app.StopAsync(CancellationToken.None);
            return health.Status == HealthCheckResponse.Types.ServingStatus.Serving ? 0 : 1;
        });
        return command;
    }
}
