using System.CommandLine;
using System.Globalization;
using Cascade.Cli.Reproduce;
using Cascade.Cli.Scoring;
using Cascade.Hosting;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Native;
using Cascade.Training.Domain.Reproduction;
using Grpc.Core;

namespace Cascade.Cli.Commands;

/// <summary>
/// <c>cascade models reproduce NAME/VERSION</c>: trains a registered version again from its lineage (the same rows of
/// the same feature view version below its watermark, read from the offline store, the same split, trainer, parameters
/// and seed) here, with the training worker's own code, and reports whether the model is identical or how far it is off
/// and why. It registers nothing. Exit code 0: identical; 3: it differs; 1: it could not be retrained.
/// </summary>
internal static class ModelsReproduceCommand
{
    /// <summary>The exit code of a retraining that ran but did not give the same model.</summary>
    public const int Differs = 3;

    public static Command Create(Option<string> address)
    {
        var reference = new Argument<string>("version") { Description = "The version to retrain: NAME/VERSION (churn/3), or NAME with the version as the next argument." };
        var number = new Argument<int?>("number") { Description = "The version number, when the first argument is NAME alone.", Arity = ArgumentArity.ZeroOrOne };
        var data = new Option<DirectoryInfo>("--data") { Description = "The all-in-one host's data directory, whose offline.db holds the rows (a distributed deployment: set Cascade__Infrastructure__OfflineStore=postgres and Cascade__Infrastructure__Postgres as its workers have them).", DefaultValueFactory = _ => new DirectoryInfo(".cascade") };
        var parameters = new Option<string[]>("--param") { Description = "Retrain with a parameter changed (key=value, repeatable): how far does it move the model? Reported as a cause.", AllowMultipleArgumentsPerToken = false };
        var output = new Option<DirectoryInfo?>("--out") { Description = "Keep the retrained artifact in this directory (new or empty)." };
        var command = new Command("reproduce", "Train a registered version again from its lineage and report whether the model is identical, or how far it differs and why.") { reference, number, data, parameters, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var scratch = Directory.CreateTempSubdirectory("cascade-reproduce-").FullName;
            try
            {
                var named = Reference(parse.GetValue(reference)!, parse.GetValue(number));
                if (parse.GetValue(output) is { Exists: true } kept && kept.EnumerateFileSystemInfos().Any())
                {
                    // Checked before the retraining, not when its artifact is written.
                    throw new ArgumentException($"--out {kept.FullName} is not empty; choose a new directory for the retrained artifact.");
                }
                using var channel = CliChannels.ForAddress(parse.GetValue(address)!, parse);
                var (original, version) = (await RegisteredModels.ResolveAsync(channel, named, Path.Combine(scratch, "original"), cancellationToken))!.Value;
                VersionReproduction.EnsureReproducible(version);
                var (settings, settingsCauses) = await ReproductionSettings.ResolveAsync(channel, version, cancellationToken);
                var lineage = version.Spec.Lineage;
                Console.Out.WriteLine($"reproducing {version.Spec.Model} v{version.Meta.Version}: {settings.Trainer}, {settings.Rounds} rounds, {lineage.TrainingRows:N0} training rows of {lineage.FeatureView} v{lineage.FeatureViewVersion} below {Watermark(lineage)} (job {lineage.TrainingJobId})");
                var offline = OfflineStoreAccess.Open(parse.GetValue(data)!.FullName);
                using var closing = offline as IDisposable;
                var outputDirectory = parse.GetValue(output)?.FullName ?? Path.Combine(scratch, "reproduced");
                var report = await new VersionReproduction(offline).RunAsync(new ReproductionRequest
                {
                    Version = version,
                    Original = original,
                    Settings = settings,
                    SettingsCauses = settingsCauses,
                    Overrides = Overrides(parse.GetValue(parameters) ?? []),
                    OutputDirectory = outputDirectory,
                    CodeVersion = GitCommit.Find(Environment.GetEnvironmentVariable("CASCADE_REPO_ROOT") ?? AppContext.BaseDirectory),
                }, cancellationToken);
                Print(report, version.Meta.Version);
                if (parse.GetValue(output) is not null)
                {
                    Console.Out.WriteLine($"wrote {outputDirectory} (unsigned)");
                }
                return report.Identical ? 0 : Differs;
            }
            catch (Exception ex) when (ex is NotReproducibleException or ArgumentException or InvalidOperationException or ArtifactException or XGBoostException or IOException or DllNotFoundException or InvalidDataException)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 1;
            }
            catch (RpcException ex)
            {
                var hint = ex.StatusCode == StatusCode.Unavailable ? " (is the host running? start it with ./cascade up, or give --address)" : string.Empty;
                Console.Error.WriteLine($"error: {ex.StatusCode}: {ex.Status.Detail}{hint}");
                return 1;
            }
            finally
            {
                Directory.Delete(scratch, recursive: true);
            }
        });
        return command;
    }

    /// <summary>NAME/VERSION, from one argument or two.</summary>
    private static string Reference(string first, int? version)
    {
        var reference = version is { } n ? $"{first}/{n.ToString(CultureInfo.InvariantCulture)}" : first;
        return RegisteredModels.IsVersionReference(reference, out _, out _)
            ? reference
            : throw new ArgumentException($"'{reference}' does not name a version: give NAME/VERSION (churn/3) or NAME VERSION.");
    }

    private static Dictionary<string, string> Overrides(IEnumerable<string> pairs)
    {
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=');
            if (equals <= 0) throw new ArgumentException($"--param '{pair}' is not key=value.");
            overrides[pair[..equals].Trim()] = pair[(equals + 1)..].Trim();
        }
        return overrides;
    }

    private static string Watermark(Contracts.Registry.V1.Lineage lineage) =>
        "watermark " + string.Join(" ", lineage.Watermark.Partitions.Select(p => $"{p.Partition}:{p.Offset}"));

    /// <summary>Plain lines (no markup, no wrapping): people and scripts read them.</summary>
    private static void Print(ReproductionReport report, int version)
    {
        string F(double value) => value.ToString("F6", CultureInfo.InvariantCulture);
        var output = Console.Out;
        output.WriteLine($"training rows: {report.TrainingRows:N0} read, {report.RecordedTrainingRows:N0} recorded");
        output.WriteLine(report.ModelFileIdentical
            ? $"model.json: identical (sha256 {report.OriginalModelSha256[..12]}), {report.Trees} trees"
            : $"model.json: differs (sha256 {report.OriginalModelSha256[..12]} → {report.ReproducedModelSha256[..12]}); {report.DifferingTrees} of {Math.Max(report.Trees, report.ReproducedTrees)} trees differ ({report.Trees} → {report.ReproducedTrees})");
        output.WriteLine(report.DifferingPredictions == 0
            ? $"holdout: {report.HoldoutRows:N0} rows, every prediction identical; {report.Metric} {F(report.OriginalMetric)}"
            : $"holdout: {report.HoldoutRows:N0} rows, {report.DifferingPredictions:N0} outputs differ (max |Δ| {report.MaxPredictionDifference.ToString("G6", CultureInfo.InvariantCulture)}); {report.Metric} {F(report.OriginalMetric)} → {F(report.ReproducedMetric)}");
        foreach (var cause in report.Causes)
        {
            output.WriteLine($"cause: {cause}");
        }
        foreach (var note in report.Notes)
        {
            output.WriteLine($"note: {note}");
        }
        output.WriteLine(report.Identical
            ? $"result: identical: v{version} is reproduced exactly from its lineage"
            : report.Causes.Count > 0
                ? "result: differs, for the causes above"
                : "result: differs with the same recorded inputs: the training is not deterministic here (see the notes)");
    }
}
