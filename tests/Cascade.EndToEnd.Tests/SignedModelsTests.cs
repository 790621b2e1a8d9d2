using System.Text.Json.Nodes;
using Cascade.Cli.Import;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Monitoring.V1;
using Cascade.Contracts.Serving.V1;
using Cascade.EndToEnd.Tests.Fixtures;
using Cascade.Host;
using Cascade.Hosting.Security;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Ml.Import;
using Cascade.Ml.Signing;
using Cascade.Ml.Training;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Cascade.EndToEnd.Tests;

/// <summary>
/// Signed models on the all-in-one host, through the real <c>cascade models import</c>: the host makes its signing key
/// once and keeps it across restarts; a version that is unsigned, signed by a key the host does not trust, or altered
/// after it was signed is refused by Serving, the champion keeps answering, ops get a CRITICAL alert and the refusal is
/// in the audit trail.
/// </summary>
public sealed class SignedModelsTests : IAsyncLifetime
{
    private const string Model = "signed";
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-signed-e2e-").FullName;
    private string Data => Path.Combine(_root, "host");
    private InProcessHost _host = null!;

    public async Task InitializeAsync() => _host = await InProcessHost.StartAsync(Data);

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>An XGBoost model of three features saved as python's save_model would, trained here.</summary>
    private string ModelFile(string name)
    {
        var random = new Random(name.Length);
        const int rows = 300;
        var features = new float[rows * 3];
        var labels = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < 3; c++) features[r * 3 + c] = (float)random.NextDouble();
            labels[r] = features[r * 3] + features[r * 3 + 2] > 1 ? 1 : 0;
        }
        var result = XGBoostTrainer.Train(new TabularData(features, rows, ["a", "b", "c"], labels), null, new TrainingOptions { Parameters = new() { ["objective"] = "binary:logistic" }, Rounds = 6 });
        var path = Path.Combine(_root, name + ".json");
        using (result.Model) File.WriteAllBytes(path, result.Model.SaveJson());
        return path;
    }

    private Task<CascadeCli.Result> Import(string file, params string[] options) =>
        CascadeCli.RunAsync(["models", "import", Model, "--file", file, "--features", "a,b,c", .. options, "--grpc", _host.Grpc]);

    private async Task<PredictResponse> PredictAsync() =>
        await new Cascade.Contracts.Serving.V1.Serving.ServingClient(_host.Channel).PredictAsync(new PredictRequest { Model = Model, Features = new FeatureVector { Values = { 0.2f, 0.5f, 0.9f } } });

    private Task ServedAsync(int version)
    {
        var serving = new Cascade.Contracts.Serving.V1.Serving.ServingClient(_host.Channel);
        return Eventually.WaitForAsync(
            async () => (await serving.GetServingStatusAsync(new GetServingStatusRequest())).Models.FirstOrDefault(m => m.Model == Model),
            served => served?.Version == version, $"{Model} v{version} is served", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task The_host_makes_its_signing_key_once_signs_imports_with_it_and_still_trusts_them_after_a_restart()
    {
        var keyFile = HostSigningKey.KeyFile(Data);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(keyFile).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite, "only the host's user may read its private key");
            File.GetUnixFileMode(Path.GetDirectoryName(keyFile)!).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var keyBytes = File.ReadAllBytes(keyFile);
        string keyId;
        using (var key = SigningKey.Load(keyFile))
        {
            keyId = key.KeyId;
            File.ReadAllText(HostSigningKey.PublicKeyFile(Data)).Should().Be(key.PublicKeyPem, "the public half is beside it, for whoever else must trust these models");
        }

        var imported = await Import(ModelFile("first"), "--signing-key", keyFile);
        imported.ExitCode.Should().Be(0, imported.Error);
        imported.Output.Should().Contain($"signature: signed by key {keyId}");
        await ServedAsync(1);

        await _host.DisposeAsync();
        _host = await InProcessHost.StartAsync(Data);

        File.ReadAllBytes(keyFile).Should().Equal(keyBytes, "a restart reuses the key rather than making another");
        await ServedAsync(1); // replayed from the promotion log and accepted: still signed by a trusted key
        (await PredictAsync()).Version.Should().Be(1);
    }

    [Fact]
    public async Task A_key_the_operator_names_signs_in_place_of_the_hosts_own_and_is_trusted()
    {
        var data = Path.Combine(_root, "own-key-host");
        var own = SigningKeyFiles.EnsureCreated(Path.Combine(_root, "operator.key"));
        using var key = SigningKey.Load(own);

        await using var app = AllInOneHost.Build(new AllInOneHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = data }, _ => { }, [$"--Cascade:Signing:PrivateKeyFile={own}"]);

        app.Services.GetRequiredService<ArtifactTrust>().Keys.Ids.Should().Equal([key.KeyId]);
        File.Exists(HostSigningKey.KeyFile(data)).Should().BeFalse("the host makes a key only when none is named");
    }

    [Fact]
    public void A_named_key_that_is_not_a_key_stops_the_host_naming_the_setting_and_the_file()
    {
        var bad = Path.Combine(_root, "not-a.key");
        File.WriteAllText(bad, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");

        var act = () => AllInOneHost.Build(new AllInOneHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = Path.Combine(_root, "bad-key-host") }, _ => { }, [$"--Cascade:Signing:PrivateKeyFile={bad}"]);

        act.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage($"*Cascade:Signing: PrivateKeyFile*{bad}*no PEM private key*");
    }

    [Fact]
    public async Task Import_refuses_to_build_an_unsigned_model_unless_asked_and_names_where_a_key_comes_from()
    {
        var refused = await Import(ModelFile("first"));

        refused.ExitCode.Should().Be(1);
        refused.Error.Should().Contain("no key to sign the model with").And.Contain("--signing-key");
    }

    public static TheoryData<string> NotTrusted() => new() { "unsigned", "signed by another key", "altered after signing" };

    [Theory]
    [MemberData(nameof(NotTrusted))]
    public async Task A_version_not_signed_by_a_trusted_key_is_refused_while_the_champion_answers_and_ops_get_a_critical_alert(string what)
    {
        var first = await Import(ModelFile("first"), "--signing-key", HostSigningKey.KeyFile(Data));
        first.ExitCode.Should().Be(0, first.Error);
        await ServedAsync(1);
        using var watch = new Cascade.Contracts.Monitoring.V1.Monitoring.MonitoringClient(_host.Channel).WatchAlerts(new WatchAlertsRequest { Models = { Model }, MinSeverity = Severity.Critical, Replay = 10 });
        await using var alerts = watch.ResponseStream.ReadAllAsync().GetAsyncEnumerator();
        var next = alerts.MoveNextAsync().AsTask();

        var (expected, artifactSha) = what switch
        {
            "unsigned" => ("*unsigned*", Imported(await Import(ModelFile("second"), "--unsigned", "--force"))),
            "signed by another key" => await ImportedWithAnotherKeyAsync(),
            _ => ("*does not verify*", await ImportAlteredAsync()),
        };

        (await next.WaitAsync(TimeSpan.FromSeconds(60))).Should().BeTrue("a CRITICAL alert reaches the console");
        var alert = alerts.Current;
        alert.Kind.Should().Be(DriftKind.ModelLoadFailed);
        alert.Severity.Should().Be(Severity.Critical);
        alert.Version.Should().Be(2);
        alert.Summary.Should().Contain("v1 keeps serving").And.Match(expected);
        (await PredictAsync()).Version.Should().Be(1, "the champion before the refused version keeps answering");
        (await new Cascade.Contracts.Serving.V1.Serving.ServingClient(_host.Channel).GetServingStatusAsync(new GetServingStatusRequest())).Models.Single(m => m.Model == Model).Version.Should().Be(1);
        var audited = _host.Host.Services.GetRequiredService<SqliteAuditTrail>().Read(0, 1000).Where(e => e.Action == "artifact.refused").ToArray();
        audited.Should().ContainSingle().Which.Should().Match<StoredAuditEntry>(e => e.Target == $"{Model}@2" && e.Outcome == "refused" && e.Principal == "serving");
        audited[0].Detail.Should().Match(expected).And.Contain(artifactSha);
    }

    /// <summary>The short artifact hash an import printed, once it made v2 champion.</summary>
    private static string Imported(CascadeCli.Result result)
    {
        result.ExitCode.Should().Be(0, result.Error);
        result.Output.Should().Contain("champion: v2");
        return result.Output.Split("; artifact ")[1][..12];
    }

    private async Task<(string Expected, string Sha)> ImportedWithAnotherKeyAsync()
    {
        var stranger = Path.Combine(_root, "stranger.key");
        using var key = SigningKey.Load(SigningKeyFiles.EnsureCreated(stranger));
        var sha = Imported(await Import(ModelFile("second"), "--signing-key", stranger, "--force"));
        return ($"*{key.KeyId}*not a trusted key*", sha);
    }

    /// <summary>What <c>cascade models import</c> does, with the artifact altered between signing and upload (a file changed, the manifest re-hashed).</summary>
    private async Task<string> ImportAlteredAsync()
    {
        var work = Directory.CreateTempSubdirectory("cascade-altered-").FullName;
        var request = new ImportRequest { ModelFile = ModelFile("second"), FeatureNames = ["a", "b", "c"] };
        using var key = SigningKey.Load(HostSigningKey.KeyFile(Data));
        var (imported, artifact) = ModelImport.Build(request, work, key);
        var golden = Path.Combine(imported.Directory, ArtifactFiles.GoldenSamples);
        File.AppendAllText(golden, "\n");
        var manifestPath = Path.Combine(imported.Directory, ArtifactFiles.Manifest);
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        manifest["files"]![ArtifactFiles.GoldenSamples] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(golden)));
        File.WriteAllText(manifestPath, manifest.ToJsonString());

        var outcome = await ModelImport.RunAsync(_host.Channel, Model, request, imported, artifact, force: true, work, CancellationToken.None);
        outcome.Champion.Should().BeTrue();
        return outcome.Artifact.Sha256[..12];
    }
}
