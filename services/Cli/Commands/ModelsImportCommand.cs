using System.CommandLine;
using System.Text.RegularExpressions;
using Cascade.Cli.Import;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Ml.Import;
using Cascade.Ml.Native;
using Cascade.Ml.Signing;

namespace Cascade.Cli.Commands;

/// <summary><c>cascade models import NAME --file FILE</c>: registers an XGBoost, ONNX or ML.NET tree model trained elsewhere as a new version of NAME.</summary>
internal static partial class ModelsImportCommand
{
    public static Command Create(Option<string> address)
    {
        var name = new Argument<string>("model") { Description = "Model name: a new model, or a new version of an existing one." };
        var file = new Option<FileInfo>("--file") { Description = "The model: XGBoost .json or .ubj (Booster.save_model), .onnx (one float input [N, features], one float output), or an ML.NET FastTree/LightGbm .zip (mlContext.Model.Save).", Required = true };
        var features = new Option<string?>("--features") { Description = "Feature names in input order, comma-separated (default: the names stored in the model; ONNX models need them)." };
        var sample = new Option<FileInfo?>("--sample") { Description = "CSV of rows the model will see: golden samples, the reference profile for drift monitoring and, with labels, the holdout the promotion gate compares on." };
        var label = new Option<string?>("--label") { Description = $"The sample's label column (default: '{ModelImporter.DefaultLabel}' when the sample has it)." };
        var objective = new Option<string?>("--objective") { Description = "Objective of an ONNX model (binary:logistic, reg:squarederror, multi:softprob); inferred from its outputs when left out." };
        var force = new Option<bool>("--force") { Description = "Make the version champion even if the gate refuses or has nothing to compare (audited as 'import --force')." };
        var signingKey = new Option<FileInfo?>("--signing-key") { Description = $"The ECDSA P-256 private key (PEM) that signs the artifact; Serving loads only models signed by a key it trusts (default: ${ImportSigningKey.EnvironmentVariable}, else {ImportSigningKey.AllInOneDefault})." };
        var unsigned = new Option<bool>("--unsigned") { Description = "Build the artifact unsigned: only a deployment with Cascade__Signing__RequireSignature=false serves it." };
        var command = new Command("import", "Register a model trained elsewhere (XGBoost, ONNX or an ML.NET tree model) as a new version, through the promotion gate.") { name, file, features, sample, label, objective, force, signingKey, unsigned };
        command.SetAction(async (parse, ct) =>
        {
            var model = parse.GetValue(name)!;
            if (!ModelName().IsMatch(model))
            {
                // The registry's rule, checked before the artifact is built and uploaded.
                Console.Error.WriteLine($"error: model name '{model}' is invalid: use 1–64 lower-case letters, digits, '-' or '_'.");
                return 1;
            }
            var request = new ImportRequest
            {
                ModelFile = parse.GetValue(file)!.FullName,
                FeatureNames = parse.GetValue(features) is { } list ? list.Split(',', StringSplitOptions.TrimEntries) : null,
                SampleFile = parse.GetValue(sample)?.FullName,
                LabelColumn = parse.GetValue(label),
                Objective = parse.GetValue(objective),
            };
            SigningKey? signer = null;
            if (!parse.GetValue(unsigned))
            {
                (signer, var keyError) = ImportSigningKey.Resolve(parse.GetValue(signingKey)?.FullName, Environment.GetEnvironmentVariable(ImportSigningKey.EnvironmentVariable), Directory.GetCurrentDirectory());
                if (signer is null)
                {
                    Console.Error.WriteLine($"error: {keyError}");
                    return 1;
                }
            }
            using var signerInUse = signer;
            var work = Directory.CreateTempSubdirectory("cascade-import-").FullName;
            try
            {
                ImportedModel imported;
                ModelArtifact artifact;
                try
                {
                    (imported, artifact) = ModelImport.Build(request, work, signer);
                }
                catch (Exception ex) when (ex is ImportException or ArtifactException or CsvFormatException or XGBoostException or IOException or DllNotFoundException)
                {
                    Console.Error.WriteLine($"error: {ex.Message}");
                    return 1;
                }
                return await HostCall.RunAsync(parse, address, async channel =>
                    Print(await ModelImport.RunAsync(channel, model, request, imported, artifact, parse.GetValue(force), work, ct), artifact.Signature));
            }
            finally
            {
                Directory.Delete(work, recursive: true);
            }
        });
        return command;
    }

    /// <summary>Plain lines (no markup, no wrapping): the summary is read by people and by scripts alike.</summary>
    private static void Print(ImportOutcome outcome, SignatureStatus signature)
    {
        var manifest = outcome.Imported.Manifest;
        var output = Console.Out;
        output.WriteLine($"imported {manifest.Source!.FileName} as v{outcome.Version}: {manifest.EffectiveFramework}, {manifest.Objective}, {manifest.FeatureNames.Count} features, {manifest.OutputsPerRow} output(s) per row; artifact {outcome.Artifact.Sha256[..12]} ({outcome.Artifact.SizeBytes:N0} bytes)");
        output.WriteLine(signature.State == SignatureState.Unsigned
            ? "signature: none (--unsigned): Serving loads it only where Cascade__Signing__RequireSignature=false"
            : $"signature: signed by key {signature.KeyId}; Serving loads it only if it trusts that key");
        if (outcome.Imported.ObjectiveInferred)
        {
            output.WriteLine($"objective {manifest.Objective} was inferred from the outputs; pass --objective to state it");
        }
        if (!manifest.HasReferenceProfile)
        {
            output.WriteLine("no --sample: the version has no reference profile, so monitoring reports 'no reference' and measures no drift for it");
        }
        if (manifest.Metrics.TryGetValue("sample", out var metrics))
        {
            output.WriteLine($"sample metrics: {string.Join(", ", metrics.Select(m => $"{m.Key}={m.Value:F4}"))}");
        }
        var decision = outcome.Decision;
        output.WriteLine(outcome.HadHoldout
            ? $"gate: {(decision.Passed ? "passed" : "refused")} ({decision.Reason})"
            : $"gate: no verdict (no labelled sample: {decision.Reason})");
        if (outcome.ChampionNote is { } note)
        {
            output.WriteLine($"note: {note}");
        }
        output.WriteLine(outcome.Champion
            ? $"champion: v{outcome.Version}{(outcome.PromotionNote is { } how ? $" ({how})" : string.Empty)}"
            : $"champion: v{outcome.ChampionVersion} stays; v{outcome.Version} is registered but not promoted: {outcome.PromotionNote}");
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    private static partial Regex ModelName();
}
