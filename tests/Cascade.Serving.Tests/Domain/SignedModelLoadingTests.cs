using System.Text.Json.Nodes;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Embedded;
using Cascade.Hosting.Security;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Data;
using Cascade.Ml.Signing;
using Cascade.Ml.Training;
using Cascade.Serving.Domain;
using Cascade.Storage.Artifacts;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cascade.Serving.Tests.Domain;

/// <summary>
/// Serving loads only artifacts signed by a key it trusts. Anything else (unsigned, signed by another key, altered after
/// signing) is refused: the version it would have replaced keeps serving, the refusal is recorded in the audit trail
/// (the real SQLite one) and reported as <c>ModelLoadFailed</c>, which Monitoring raises as a CRITICAL alert.
/// </summary>
public sealed class SignedModelLoadingTests : IAsyncLifetime
{
    private const string Model = "signed";
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-serving-signed-").FullName;
    private readonly SigningKey _trusted = SigningKey.Create();
    private readonly SigningKey _stranger = SigningKey.Create();
    private SqliteEventLog _log = null!;
    private SqliteAuditTrail _audit = null!;
    private LocalArtifactStore _store = null!;
    private ModelCatalog _catalog = null!;
    private PromotionFollower _follower = null!;
    private long _offset;

    public Task InitializeAsync()
    {
        _log = new SqliteEventLog(new EmbeddedEventLogOptions { Path = Path.Combine(_root, "events.db"), DefaultPartitions = 1 });
        _audit = new SqliteAuditTrail(Path.Combine(_root, "audit.db"));
        _store = new LocalArtifactStore(Path.Combine(_root, "artifacts"));
        _catalog = new ModelCatalog(_store, Path.Combine(_root, "serving"), new ArtifactTrust(TrustedKeys.Of(_trusted.PublicKey)));
        _follower = new PromotionFollower(_catalog, _log, NullLogger<PromotionFollower>.Instance, _audit);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _log.DisposeAsync();
        _audit.Dispose();
        _trusted.Dispose();
        _stranger.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Trains a small model, writes its artifact signed by <paramref name="signer"/>, lets <paramref name="alter"/> change it, and stores it.</summary>
    private async Task<string> StoreAsync(SigningKey? signer, Action<string>? alter = null)
    {
        var random = new Random(5);
        const int rows = 300;
        var features = new float[rows * 3];
        var labels = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < 3; c++) features[r * 3 + c] = (float)random.NextDouble();
            labels[r] = features[r * 3] + features[r * 3 + 1] > 1 ? 1 : 0;
        }
        var train = new TabularData(features, rows, ["a", "b", "c"], labels);
        var result = XGBoostTrainer.Train(train, null, new TrainingOptions { Parameters = new() { ["objective"] = "binary:logistic" }, Rounds = 5 });
        var directory = Path.Combine(_root, "built", Guid.NewGuid().ToString("N"));
        using (result.Model) ArtifactWriter.Write(directory, result, train, null, "label", signer: signer);
        alter?.Invoke(directory);
        return (await _store.PutAsync(new MemoryStream(ArtifactArchive.Pack(directory)))).Sha256;
    }

    private ConsumedRecord Record(string topic, IMessage payload) =>
        new(topic, 0, _offset++, Model, EventEnvelopes.Wrap(payload, Model, "test").ToByteArray(), DateTimeOffset.UtcNow);

    private ConsumedRecord Promoted(int version, string sha) =>
        Record(Topics.ModelsPromoted, new ModelPromoted { Model = Model, Version = version, ArtifactSha256 = sha, FeatureView = "view" });

    private async Task<IReadOnlyList<ModelLoadFailed>> LoadFailuresAsync()
    {
        await using var reader = _log.Subscribe(new ConsumerOptions($"test-reader.{Guid.NewGuid():N}", [Topics.ModelLoadFailed]));
        var failures = new List<ModelLoadFailed>();
        // Appended before HandleAsync returned: everything is there, read until a poll brings nothing more.
        while ((await reader.ConsumeAsync(TimeSpan.FromMilliseconds(200))) is { Count: > 0 } records)
        {
            failures.AddRange(records.Select(r => EventEnvelopes.Unwrap(EventEnvelope.Parser.ParseFrom(r.Value.Span), ModelLoadFailed.Parser)));
        }
        return failures;
    }

    private IReadOnlyList<StoredAuditEntry> Refusals() => _audit.Read(0, 100).Where(e => e.Action == "artifact.refused").ToArray();

    private static void FlipAByteOf(string directory, string file)
    {
        var path = Path.Combine(directory, file);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>The attack a signature stops: a file changed and its new hash written into the manifest, so every hash agrees.</summary>
    private static void Reseal(string directory)
    {
        FlipAByteOf(directory, ArtifactFiles.ReferenceProfile);
        var manifestPath = Path.Combine(directory, ArtifactFiles.Manifest);
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        manifest["files"]![ArtifactFiles.ReferenceProfile] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(directory, ArtifactFiles.ReferenceProfile))));
        File.WriteAllText(manifestPath, manifest.ToJsonString());
    }

    [Fact]
    public async Task A_version_signed_by_a_trusted_key_is_served()
    {
        var sha = await StoreAsync(_trusted);

        await _follower.HandleAsync([Promoted(1, sha)], CancellationToken.None);

        var served = _catalog.Find(Model)!;
        served.Version.Should().Be(1);
        served.Artifact.Signature.Should().Match<SignatureStatus>(s => s.State == SignatureState.Trusted && s.KeyId == _trusted.KeyId);
        Refusals().Should().BeEmpty();
    }

    public static TheoryData<string> Refused() => new() { "unsigned", "untrusted key", "altered file", "resealed manifest" };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_refused_version_is_audited_and_reported_while_the_previous_one_keeps_serving(string what)
    {
        var first = await StoreAsync(_trusted);
        await _follower.HandleAsync([Promoted(1, first)], CancellationToken.None);
        var second = what switch
        {
            "unsigned" => await StoreAsync(null),
            "untrusted key" => await StoreAsync(_stranger),
            "altered file" => await StoreAsync(_trusted, d => FlipAByteOf(d, ArtifactFiles.ModelJson)),
            _ => await StoreAsync(_trusted, Reseal),
        };
        var expected = what switch
        {
            "unsigned" => "*unsigned*",
            "untrusted key" => $"*{_stranger.KeyId}*not a trusted key*",
            "altered file" => "*model.json was altered*",
            _ => $"*signature by key {_trusted.KeyId} does not verify*",
        };

        await _follower.HandleAsync([Promoted(2, second)], CancellationToken.None);

        _catalog.Find(Model)!.Version.Should().Be(1, "a refused version never replaces the one serving");
        var failure = (await LoadFailuresAsync()).Should().ContainSingle().Subject;
        failure.Version.Should().Be(2);
        failure.KeptVersion.Should().Be(1);
        failure.Reason.Should().Match(expected);
        var audited = Refusals().Should().ContainSingle().Subject;
        audited.Should().Match<StoredAuditEntry>(e => e.Principal == "serving" && e.Role == "service" && e.Target == $"{Model}@2" && e.Outcome == "refused");
        audited.Detail.Should().Match(expected).And.Contain(second, "the audit names the refused artifact");
        Directory.GetDirectories(Path.Combine(_root, "serving")).Should().ContainSingle("nothing of a refused artifact is left unpacked");
    }

    [Fact]
    public async Task Replaying_a_log_whose_latest_promotion_is_refused_serves_the_champion_before_it()
    {
        // A restart: the whole history arrives in one batch, and only the latest promotion would be loaded.
        var first = await StoreAsync(_trusted);
        var second = await StoreAsync(null);

        await _follower.HandleAsync([Promoted(1, first), Promoted(2, second)], CancellationToken.None);

        _catalog.Find(Model)!.Version.Should().Be(1);
        var failure = (await LoadFailuresAsync()).Should().ContainSingle().Subject;
        failure.Should().Match<ModelLoadFailed>(f => f.Version == 2 && f.KeptVersion == 1);
        Refusals().Should().ContainSingle().Which.Target.Should().Be($"{Model}@2");
    }

    [Fact]
    public async Task A_refused_challenger_is_audited_and_takes_no_traffic()
    {
        await _follower.HandleAsync([Promoted(1, await StoreAsync(_trusted))], CancellationToken.None);
        var challenger = await StoreAsync(_stranger);

        await _follower.HandleAsync([Record(Topics.ModelsChallenger, new ChallengerSet { Model = Model, Version = 2, ArtifactSha256 = challenger, FeatureView = "view" })], CancellationToken.None);

        _catalog.FindChallenger(Model).Should().BeNull();
        (await LoadFailuresAsync()).Should().ContainSingle().Which.Reason.Should().StartWith("challenger: Refused");
        Refusals().Should().ContainSingle().Which.Target.Should().Be($"{Model}@2");
    }

    [Fact]
    public async Task Unsigned_versions_are_served_only_when_signatures_are_not_required()
    {
        var lenient = new ModelCatalog(_store, Path.Combine(_root, "lenient"), new ArtifactTrust(TrustedKeys.Of(_trusted.PublicKey), requireSignature: false));

        var served = await lenient.LoadAndSwapAsync(Model, 1, await StoreAsync(null), "view", CancellationToken.None);

        served.Artifact.Signature.State.Should().Be(SignatureState.Unsigned);
    }
}
