using System.CommandLine;
using System.Globalization;
using Cascade.Cli.Import;
using Cascade.Cli.Scoring;
using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Training.V1;
using Spectre.Console;

namespace Cascade.Cli.Commands;

/// <summary>
/// <c>cascade jobs score</c> (queue a batch-scoring job on the host's worker pools, optionally wait and fetch its
/// Parquet) and <c>cascade jobs output</c> (fetch a finished scoring job's Parquet through the Registry's artifact download).
/// </summary>
internal static class JobsScoreCommand
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    public static Command Score(Option<string> address)
    {
        var model = new Option<string>("--model") { Description = "NAME (its champion), NAME@alias (champion, challenger) or NAME/VERSION.", Required = true };
        var view = new Option<string>("--feature-view") { Description = "Feature view to score (default: the version's lineage view)." };
        var watermark = new Option<string>("--watermark") { Description = "Score rows below these offsets, PARTITION:OFFSET[,…] (default: the view's latest materialization)." };
        var gpu = new Option<bool>("--gpu") { Description = "Queue on the train-gpu pool (scoring still runs on the CPU there: no CUDA provider is built in)." };
        var wait = new Option<bool>("--wait") { Description = "Wait for the job and print its output artifact." };
        var output = new Option<string>("--out") { Description = "With --wait: download the Parquet file here." };
        var score = new Command("score", "Score a feature view's rows with a registered version on the host's worker pools; the Parquet goes to the artifact store.") { model, view, watermark, gpu, wait, output };
        score.SetAction(async (parse, ct) =>
        {
            TriggerBatchScoringRequest request;
            try
            {
                request = Request(parse.GetValue(model)!, parse.GetValue(view), parse.GetValue(watermark), parse.GetValue(gpu));
            }
            catch (ArgumentException ex)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 1;
            }
            var failed = false;
            var code = await HostCall.RunAsync(parse, address, async channel =>
            {
                var training = new Contracts.Training.V1.Training.TrainingClient(channel);
                var job = await training.TriggerBatchScoringAsync(request, HostCall.Timeout(ct));
                AnsiConsole.MarkupLineInterpolated($"queued {job.Id}: {job.Spec.Model} v{job.Spec.Scoring.ModelVersion} on {job.Spec.Scoring.FeatureView} v{job.Spec.FeatureViewVersion} ({job.Spec.Resources.Accelerator})");
                if (!parse.GetValue(wait)) return;
                while (job.Status.State is JobState.Queued or JobState.Running)
                {
                    await Task.Delay(Poll, ct);
                    job = await training.GetJobAsync(new GetJobRequest { Id = job.Id }, HostCall.Timeout(ct));
                }
                if (job.Status.State != JobState.Succeeded)
                {
                    Console.Error.WriteLine($"error: {job.Id} {job.Status.State}{(job.Status.Error.Length > 0 ? $": {job.Status.Error}" : string.Empty)}");
                    failed = true;
                    return;
                }
                Print(job);
                if (parse.GetValue(output) is { Length: > 0 } path) await DownloadAsync(channel, job, path, ct);
            });
            return failed ? 1 : code;
        });
        return score;
    }

    public static Command Output(Option<string> address)
    {
        var id = new Argument<string>("job") { Description = "A succeeded scoring job (see jobs list)." };
        var output = new Option<string>("--out") { Description = "Where to write the Parquet file.", Required = true };
        var command = new Command("output", "Download a scoring job's Parquet file from the artifact store.") { id, output };
        command.SetAction(async (parse, ct) =>
        {
            var failed = false;
            var code = await HostCall.RunAsync(parse, address, async channel =>
            {
                var job = await new Contracts.Training.V1.Training.TrainingClient(channel).GetJobAsync(new GetJobRequest { Id = parse.GetValue(id)! }, HostCall.Timeout(ct));
                if (job.Spec.Kind != JobKind.Score || job.Status.Scoring is null)
                {
                    Console.Error.WriteLine($"error: {job.Id} is {(job.Spec.Kind == JobKind.Score ? $"a scoring job {job.Status.State}, with no output yet" : "a training job")}: only a succeeded scoring job has a Parquet file.");
                    failed = true;
                    return;
                }
                Print(job);
                await DownloadAsync(channel, job, parse.GetValue(output)!, ct);
            });
            return failed ? 1 : code;
        });
        return command;
    }

    /// <summary>The request a model reference names: NAME (champion), NAME@alias or NAME/VERSION.</summary>
    internal static TriggerBatchScoringRequest Request(string reference, string? view, string? watermark, bool gpu)
    {
        var request = new TriggerBatchScoringRequest
        {
            FeatureView = view ?? string.Empty,
            Accelerator = gpu ? ResourceRequest.Types.Accelerator.Gpu : ResourceRequest.Types.Accelerator.Cpu,
        };
        if (RegisteredModels.IsVersionReference(reference, out var name, out var version)) (request.Model, request.Version) = (name, version);
        else if (RegisteredModels.IsReference(reference, out name, out var alias)) (request.Model, request.Alias) = (name, alias);
        else request.Model = reference;
        if (watermark is { Length: > 0 }) request.Watermark = Watermark(watermark);
        return request;
    }

    /// <exception cref="ArgumentException">Not PARTITION:OFFSET[,…].</exception>
    private static Watermark Watermark(string text)
    {
        var watermark = new Watermark();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pieces = part.Split(':');
            if (pieces.Length != 2 || !int.TryParse(pieces[0], NumberStyles.None, CultureInfo.InvariantCulture, out var partition) || !long.TryParse(pieces[1], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                throw new ArgumentException($"--watermark '{text}': give PARTITION:OFFSET pairs separated by commas, e.g. 0:1000,1:980.");
            }
            watermark.Partitions.Add(new PartitionOffset { Partition = partition, Offset = offset });
        }
        return watermark;
    }

    private static void Print(TrainingJob job)
    {
        var result = job.Status.Scoring;
        AnsiConsole.MarkupLineInterpolated($"{job.Id} succeeded: {result.RowsScored:N0} rows scored by {job.Spec.Model} v{job.Spec.Scoring.ModelVersion} on {result.Device} ({result.Engine}) in {result.Duration.ToTimeSpan().TotalSeconds:F1} s");
        AnsiConsole.MarkupLineInterpolated($"output: {result.OutputUri} (sha256 {result.OutputSha256}, {result.OutputSizeBytes:N0} bytes; columns entity_id, event_time, {string.Join(", ", result.OutputColumns)})");
    }

    private static async Task DownloadAsync(Grpc.Net.Client.GrpcChannel channel, TrainingJob job, string path, CancellationToken ct)
    {
        var bytes = await ArtifactTransfer.DownloadAsync(new Contracts.Registry.V1.Registry.RegistryClient(channel), job.Status.Scoring.OutputSha256, Contracts.GrpcCalls.Within(TimeSpan.FromMinutes(5), ct));
        await File.WriteAllBytesAsync(path, bytes, ct);
        AnsiConsole.MarkupLineInterpolated($"wrote {path}");
    }
}
