using System.Globalization;
using System.Text;
using Xunit.Abstractions;
using Cascade.Cli.Import;
using Cascade.Contracts.Registry.V1;
using Cascade.Host;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Optimization;
using Cascade.Ml.Signing;

namespace Cascade.Cli.Tests.Optimize;

/// <summary>
/// <c>cascade optimize --register</c> against an all-in-one host on free ports: a registered champion is pruned, the
/// variant signed and registered as the model's next version with the parent version and the optimisation in its
/// lineage, scored with the champion on the same holdout, and left to the promotion gate, which keeps the champion.
/// </summary>
public sealed class OptimizeRegisterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-cli-optimize-register-").FullName;
    private InProcessHost _host = null!;

    private string HostData => Path.Combine(_root, "host");

    public async Task InitializeAsync() => _host = await InProcessHost.StartAsync(HostData);

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private string Csv(string name, int rows, int seed)
    {
        var random = new Random(seed);
        var csv = new StringBuilder("a,b,c,label\n");
        for (var i = 0; i < rows; i++)
        {
            var (a, b, c) = (random.NextDouble(), random.NextDouble(), random.NextDouble());
            var label = a + 0.5 * b * c + (random.NextDouble() - 0.5) * 0.4 > 0.75 ? 1 : 0;
            csv.Append(string.Create(CultureInfo.InvariantCulture, $"{a},{b},{c},{label}\n"));
        }
        var path = Path.Combine(_root, name);
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    [Fact]
    public async Task A_pruned_champion_registers_as_a_signed_version_with_its_lineage_and_the_gate_keeps_the_champion()
    {
        var holdout = Csv("holdout.csv", 700, seed: 22);
        var model = Path.Combine(_root, "model");
        (await CascadeProcess.RunAsync("train", "--csv", Csv("train.csv", 1500, seed: 21), "--label", "label", "--out", model, "--rounds", "60", "--param", "objective=binary:logistic")).ExitCode.Should().Be(0);
        var key = HostSigningKey.KeyFile(HostData);
        var imported = await CascadeProcess.RunAsync("models", "import", "scores", "--file", Path.Combine(model, "model.json"), "--features", "a,b,c", "--sample", holdout, "--signing-key", key, "--grpc", _host.Grpc);
        imported.ExitCode.Should().Be(0, imported.ToString());
        imported.Output.Should().Contain("champion: v1");

        var optimized = await CascadeProcess.RunAsync("optimize", "--model", "scores@champion", "--holdout", holdout, "--max-auc-loss", "0.005", "--register", "--signing-key", key, "--grpc", _host.Grpc);

        output.WriteLine(optimized.ToString());
        optimized.ExitCode.Should().Be(0, optimized.ToString());
        optimized.Output.Should().Contain("registered scores v2: pruned from v1").And.Contain("champion: v1 stays").And.Contain("holdout auc");
        var registry = new Contracts.Registry.V1.Registry.RegistryClient(_host.Channel);
        var version = await registry.GetModelVersionAsync(new GetModelVersionRequest { Model = "scores", Version = 2 });
        var lineage = version.Spec.Lineage;
        lineage.Parameters[ModelOptimization.ParentVersionParameter].Should().Be("1");
        lineage.Parameters["optimization.method"].Should().Be(ModelOptimizer.Method);
        lineage.Parameters["optimization.metric"].Should().Be("auc");
        lineage.Parameters["optimization.max_loss"].Should().Be("0.005");
        var before = double.Parse(lineage.Parameters["optimization.metric_before"], CultureInfo.InvariantCulture);
        var after = double.Parse(lineage.Parameters["optimization.metric_after"], CultureInfo.InvariantCulture);
        (before - after).Should().BeLessThanOrEqualTo(0.005, "the pruning stayed within its budget");
        lineage.TrainingJobId.Should().BeEmpty("no training job made it, and a job id would make the registry take it for the parent");
        lineage.TriggerReason.Should().StartWith("optimize v1");

        // The gate decided on the champion and the variant scored on the same rows, and did not promote it.
        version.Spec.Holdout.ChampionVersion.Should().Be(1);
        version.Spec.Holdout.HoldoutRows.Should().Be(700);
        version.Spec.Holdout.ChampionMetrics["auc"].Should().BeApproximately(before, 1e-9, "the champion is the parent, scored on the same holdout");
        version.Spec.Holdout.CandidateMetrics["auc"].Should().BeApproximately(after, 1e-9);
        version.Meta.Status.Should().NotBe(VersionStatus.Champion);
        (await registry.GetModelAsync(new GetModelRequest { Name = "scores" })).ChampionVersion.Should().Be(1);
        (await registry.GetAuditLogAsync(new GetAuditLogRequest { Model = "scores" })).Entries.Should().NotContain(e => e.ToVersion == 2 && e.Action.StartsWith("Promoted"));

        var unpacked = Path.Combine(_root, "v2");
        ArtifactArchive.Unpack(await ArtifactTransfer.DownloadAsync(registry, version.Spec.ArtifactSha256, default), unpacked);
        var artifact = ModelArtifact.Load(unpacked);
        using var signingKey = SigningKey.Load(key);
        artifact.Signature.State.Should().Be(SignatureState.Verified);
        artifact.Signature.KeyId.Should().Be(signingKey.KeyId, "it is signed like the host's own artifacts, so Serving loads it");
        artifact.Manifest.Optimization!.TreesAfter.Should().BeLessThanOrEqualTo(60);
    }

    [Fact]
    public async Task Register_needs_a_registered_model_to_name_as_parent()
    {
        var train = Csv("train.csv", 300, seed: 23);
        var model = Path.Combine(_root, "model");
        (await CascadeProcess.RunAsync("train", "--csv", train, "--label", "label", "--out", model, "--rounds", "5", "--param", "objective=binary:logistic")).ExitCode.Should().Be(0);

        var refused = await CascadeProcess.RunAsync("optimize", "--model", model, "--holdout", train, "--max-auc-loss", "0.01", "--register", "--grpc", _host.Grpc);

        refused.ExitCode.Should().Be(1, refused.ToString());
        refused.Error.Should().Contain("--register needs a registered model");
        (await new Contracts.Registry.V1.Registry.RegistryClient(_host.Channel).ListModelsAsync(new ListModelsRequest())).Models.Should().BeEmpty();
    }
}
