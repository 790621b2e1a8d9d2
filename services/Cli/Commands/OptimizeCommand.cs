using System.CommandLine;
using System.Globalization;
using Cascade.Cli.Import;
using Cascade.Cli.Optimize;
using Cascade.Cli.Registration;
using Cascade.Cli.Scoring;
using Cascade.Contracts.Registry.V1;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Ml.Native;
using Cascade.Ml.Optimization;
using Cascade.Ml.Signing;
using Grpc.Core;

namespace Cascade.Cli.Commands;

/// <summary>
/// <c>cascade optimize</c>: prunes an artifact's trees within a budget measured on a holdout and writes the pruned model
/// as a new artifact with its lineage, then prints size, latency and metric before and after. With <c>--register</c>
/// and a registered model as source, the pruned artifact is signed and registered as a new version of that model,
/// through the promotion gate.
/// </summary>
internal static class OptimizeCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The model to prune (XGBoost trees): an artifact directory, or a registered version on the host at --address, NAME@alias (churn@champion) or NAME/VERSION (churn/3).", Required = true };
        var holdout = new Option<FileInfo>("--holdout") { Description = "Labelled CSV rows the model was not trained on: the budget is measured on them (and, with --register, the gate compares the variant with the champion on them).", Required = true };
        var output = new Option<DirectoryInfo?>("--out") { Description = "Directory for the pruned artifact (must be new or empty); optional with --register." };
        var aucLoss = new Option<double?>("--max-auc-loss") { Description = "binary:logistic: the most holdout AUC may drop (e.g. 0.001)." };
        var rmseGain = new Option<double?>("--max-rmse-gain") { Description = "reg:squarederror: the most holdout RMSE may rise." };
        var loglossGain = new Option<double?>("--max-logloss-gain") { Description = "multi:softprob: the most holdout log loss may rise." };
        var register = new Option<bool>("--register") { Description = "Register the pruned artifact as a new version of the registered --model (lineage: parent version, method, budget, holdout metric before/after); the promotion gate decides whether it becomes champion." };
        var signingKey = new Option<FileInfo?>("--signing-key") { Description = $"The ECDSA P-256 private key (PEM) that signs the pruned artifact (with --register default: ${ImportSigningKey.EnvironmentVariable}, else {ImportSigningKey.AllInOneDefault}; without, unsigned unless given)." };
        var unsigned = new Option<bool>("--unsigned") { Description = "With --register: register it unsigned (only a deployment with Cascade__Signing__RequireSignature=false serves it)." };
        var address = HostCall.AddressOption();
        var command = new Command("optimize", "Prune a model (drop late rounds, merge near-equal sibling leaves) while its holdout metric stays within a budget; --register makes it a new version of a registered model.")
        {
            model, holdout, output, aucLoss, rmseGain, loglossGain, register, signingKey, unsigned, address,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var source = parse.GetValue(model)!;
            var registering = parse.GetValue(register);
            var isRegistered = RegisteredModels.IsReference(source, out _, out _) || RegisteredModels.IsVersionReference(source, out _, out _);
            var outputDirectory = parse.GetValue(output)?.FullName;
            SigningKey? signer = null;
            var scratch = Directory.CreateTempSubdirectory("cascade-optimize-").FullName;
            try
            {
                var budget = Budget(parse.GetValue(aucLoss), parse.GetValue(rmseGain), parse.GetValue(loglossGain));
                if (registering && !isRegistered)
                {
                    throw new ArgumentException($"--register needs a registered model as --model (NAME@alias or NAME/VERSION), not '{source}': the new version's lineage names the version it was pruned from.");
                }
                if (outputDirectory is null && !registering)
                {
                    throw new ArgumentException("Give --out DIR for the pruned artifact (or --register with a registered --model).");
                }
                if (parse.GetValue(signingKey) is not null || (registering && !parse.GetValue(unsigned)))
                {
                    (signer, var keyError) = ImportSigningKey.Resolve(parse.GetValue(signingKey)?.FullName, Environment.GetEnvironmentVariable(ImportSigningKey.EnvironmentVariable), Directory.GetCurrentDirectory());
                    if (signer is null)
                    {
                        throw new ArgumentException(keyError);
                    }
                }
                var target = outputDirectory ?? Path.Combine(scratch, "optimized");
                if (!isRegistered)
                {
                    var local = ModelOptimizer.Optimize(source, parse.GetValue(holdout)!.FullName, budget, target, signer);
                    Print(local, budget);
                    Console.Out.WriteLine($"wrote {target} ({Signed(signer)}; lineage in its manifest's \"optimization\")");
                    return 0;
                }

                using var channel = CliChannels.ForAddress(parse.GetValue(address)!, parse);
                var (_, parent) = (await RegisteredModels.ResolveAsync(channel, source, Path.Combine(scratch, "parent"), cancellationToken))!.Value;
                var outcome = ModelOptimizer.Optimize(Path.Combine(scratch, "parent"), parse.GetValue(holdout)!.FullName, budget, target, signer);
                Console.Out.WriteLine($"{parent.Spec.Model} v{parent.Meta.Version} ({source})");
                Print(outcome, budget);
                if (outputDirectory is not null)
                {
                    Console.Out.WriteLine($"wrote {target} ({Signed(signer)}; lineage in its manifest's \"optimization\")");
                }
                if (!registering)
                {
                    return 0;
                }
                var optimized = ModelArtifact.Load(target);
                var result = await OptimizedVersions.RegisterAsync(channel, parent, optimized, outcome, scratch, cancellationToken);
                var after = await new Contracts.Registry.V1.Registry.RegistryClient(channel).GetModelAsync(new GetModelRequest { Name = parent.Spec.Model }, HostCall.Timeout(cancellationToken));
                PrintRegistration(parent, optimized, result, after);
                return 0;
            }
            catch (Exception ex) when (ex is ArgumentException or CsvFormatException or ArtifactException or XGBoostException or IOException or DllNotFoundException or InvalidDataException)
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
                signer?.Dispose();
                Directory.Delete(scratch, recursive: true);
            }
        });
        return command;
    }

    private static PruningBudget Budget(double? aucLoss, double? rmseGain, double? loglossGain)
    {
        var budgets = new[] { ("auc", aucLoss), ("rmse", rmseGain), ("mlogloss", loglossGain) }
            .Where(b => b.Item2 is not null).Select(b => new PruningBudget(b.Item1, b.Item2!.Value)).ToList();
        return budgets.Count == 1
            ? budgets[0]
            : throw new ArgumentException("Give one budget: --max-auc-loss (binary:logistic), --max-rmse-gain (reg:squarederror) or --max-logloss-gain (multi:softprob).");
    }

    private static string Signed(SigningKey? signer) => signer is null ? "unsigned" : $"signed by key {signer.KeyId}";

    /// <summary>A plain table (no markup, no wrapping at the console's width): scripts read it too.</summary>
    private static void Print(OptimizationOutcome outcome, PruningBudget budget)
    {
        var (before, after, pruning) = (outcome.Before, outcome.After, outcome.Pruning);
        string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
        var rows = new (string Name, string Before, string After)[]
        {
            ("trees", F(before.Trees, "N0"), F(after.Trees, "N0")),
            ("nodes", F(before.Nodes, "N0"), F(after.Nodes, "N0")),
            ("model.json bytes", F(before.ModelJsonBytes, "N0"), F(after.ModelJsonBytes, "N0")),
            ("quantised bytes", F(before.QuantisedBytes, "N0"), F(after.QuantisedBytes, "N0")),
            ("single-row p50 µs", F(before.LatencyMicroseconds, "F2"), F(after.LatencyMicroseconds, "F2")),
            ($"holdout {budget.Metric}", F(pruning.MetricBefore, "F6"), F(pruning.MetricAfter, "F6")),
        };
        Console.Out.WriteLine($"{"",-20} {"before",14} {"after",14}");
        foreach (var (name, b, a) in rows)
        {
            Console.Out.WriteLine($"{name,-20} {b,14} {a,14}");
        }
        Console.Out.WriteLine($"{budget.Metric} loss {F(budget.Loss(pruning.MetricBefore, pruning.MetricAfter), "F6")} of a budget of {F(budget.MaxLoss, "G")}; {pruning.LeafPairsMerged} leaf pairs merged");
    }

    /// <summary>Plain lines, as <c>models import</c> prints them: the new version, its signature, and what the gate decided.</summary>
    private static void PrintRegistration(ModelVersion parent, ModelArtifact optimized, RegistrationResult result, Model model)
    {
        var name = parent.Spec.Model;
        Console.Out.WriteLine($"registered {name} v{result.Version}: pruned from v{parent.Meta.Version} ({ModelOptimizer.Method}); artifact {result.Artifact.Sha256[..12]} ({result.Artifact.SizeBytes:N0} bytes)");
        Console.Out.WriteLine(optimized.Signature.State == SignatureState.Unsigned
            ? "signature: none (--unsigned): Serving loads it only where Cascade__Signing__RequireSignature=false"
            : $"signature: signed by key {optimized.Signature.KeyId}; Serving loads it only if it trusts that key");
        if (result.ChampionNote is { } note)
        {
            Console.Out.WriteLine($"note: {note}");
        }
        Console.Out.WriteLine($"gate: {(result.Decision.Passed ? "passed" : "refused")} ({result.Decision.Reason})");
        Console.Out.WriteLine(model.ChampionVersion == result.Version
            ? $"champion: v{result.Version} (promoted by the gate)"
            : model.ChallengerVersion == result.Version
                ? $"challenger: v{result.Version}; champion: v{model.ChampionVersion} stays (promote by hand: ./cascade models promote {name} {result.Version} --reason …)"
                : $"champion: v{model.ChampionVersion} stays; v{result.Version} is registered, not promoted (promote by hand: ./cascade models promote {name} {result.Version} --reason … [--force])");
    }
}
