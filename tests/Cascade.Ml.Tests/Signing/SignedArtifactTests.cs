using System.Text.Json.Nodes;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Import;
using Cascade.Ml.Signing;
using Cascade.Ml.Tests.Fixtures;
using Cascade.Ml.Training;

namespace Cascade.Ml.Tests.Signing;

/// <summary>
/// Artifacts signed as they are written, and what loading makes of them: with trusted keys (Serving) anything but a
/// signature by one of them is refused before the model is read; without (offline commands) the signature is reported.
/// </summary>
public sealed class SignedArtifactTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-signed-").FullName;
    private readonly SigningKey _key = SigningKey.Create();
    private readonly SigningKey _other = SigningKey.Create();

    private ArtifactTrust TrustingOurKey(bool requireSignature = true) => new(TrustedKeys.Of(_key.PublicKey), requireSignature);

    private string WriteArtifact(SigningKey? signer, string name = "model")
    {
        var train = SyntheticData.Binary(300);
        var result = XGBoostTrainer.Train(train, null, new TrainingOptions { Parameters = new() { ["objective"] = "binary:logistic" }, Rounds = 8 });
        using var model = result.Model;
        var directory = Path.Combine(_root, name);
        ArtifactWriter.Write(directory, result, train, null, "label", signer: signer);
        return directory;
    }

    [Fact]
    public void A_signed_artifact_loads_with_the_signers_key_trusted_and_names_it()
    {
        var directory = WriteArtifact(_key);

        var artifact = ModelArtifact.Load(directory, TrustingOurKey());

        artifact.Signature.State.Should().Be(SignatureState.Trusted);
        artifact.Signature.KeyId.Should().Be(_key.KeyId);
        File.Exists(Path.Combine(directory, ArtifactFiles.Signature)).Should().BeTrue();
        artifact.Manifest.Files.Keys.Should().NotContain(ArtifactFiles.Signature, "the manifest cannot hash its own signature");
    }

    [Fact]
    public void A_signed_artifact_survives_packing_into_the_store_and_unpacking()
    {
        var directory = WriteArtifact(_key);
        var unpacked = Path.Combine(_root, "unpacked");

        ArtifactArchive.Unpack(ArtifactArchive.Pack(directory), unpacked);

        ModelArtifact.Load(unpacked, TrustingOurKey()).Signature.State.Should().Be(SignatureState.Trusted);
    }

    [Fact]
    public void Offline_loading_verifies_the_signature_with_the_key_it_carries_and_requires_none()
    {
        ModelArtifact.Load(WriteArtifact(_key, "signed")).Signature.Should().Match<SignatureStatus>(s => s.State == SignatureState.Verified && s.KeyId == _key.KeyId);
        ModelArtifact.Load(WriteArtifact(null, "unsigned")).Signature.State.Should().Be(SignatureState.Unsigned);
    }

    [Fact]
    public void A_file_altered_after_signing_is_refused_as_tampered()
    {
        var directory = WriteArtifact(_key);
        var path = Path.Combine(directory, ArtifactFiles.ModelJson);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        var act = () => ModelArtifact.Load(directory, TrustingOurKey());

        act.Should().Throw<ArtifactRefusedException>().Where(e => e.Refusal == ArtifactRefusal.Tampered).WithMessage("*model.json*altered*");
    }

    [Fact]
    public void A_manifest_resealed_after_signing_is_refused_as_an_invalid_signature()
    {
        // The attack the signature exists for: change a file and write its new hash into the manifest, so every hash agrees.
        var directory = WriteArtifact(_key);
        var golden = Path.Combine(directory, ArtifactFiles.GoldenSamples);
        File.WriteAllText(golden, File.ReadAllText(golden).Replace("\n", "\n ", StringComparison.Ordinal));
        var manifestPath = Path.Combine(directory, ArtifactFiles.Manifest);
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        manifest["files"]![ArtifactFiles.GoldenSamples] = ArtifactFiles.Sha256(File.ReadAllBytes(golden));
        File.WriteAllText(manifestPath, manifest.ToJsonString());

        var act = () => ModelArtifact.Load(directory, TrustingOurKey());

        act.Should().Throw<ArtifactRefusedException>().Where(e => e.Refusal == ArtifactRefusal.InvalidSignature)
            .WithMessage($"*signature by key {_key.KeyId} does not verify*");
        ModelArtifact.Load(directory).Signature.State.Should().Be(SignatureState.Invalid, "offline, the hashes agree and the broken signature is reported");
    }

    [Fact]
    public void An_unsigned_artifact_is_refused_while_signatures_are_required_and_loads_when_they_are_not()
    {
        var directory = WriteArtifact(null);

        var act = () => ModelArtifact.Load(directory, TrustingOurKey());

        act.Should().Throw<ArtifactRefusedException>().Where(e => e.Refusal == ArtifactRefusal.Unsigned).WithMessage("*unsigned*");
        ModelArtifact.Load(directory, TrustingOurKey(requireSignature: false)).Signature.State.Should().Be(SignatureState.Unsigned);
    }

    [Fact]
    public void An_artifact_signed_by_a_key_not_trusted_is_refused_naming_that_key_even_when_unsigned_ones_are_allowed()
    {
        var directory = WriteArtifact(_other);

        var act = () => ModelArtifact.Load(directory, TrustingOurKey(requireSignature: false));

        act.Should().Throw<ArtifactRefusedException>().Where(e => e.Refusal == ArtifactRefusal.UntrustedKey).WithMessage($"*{_other.KeyId}*not a trusted key*");
    }

    [Fact]
    public void A_signature_claiming_a_trusted_key_id_while_signed_by_another_key_is_refused()
    {
        var directory = WriteArtifact(_other);
        var path = Path.Combine(directory, ArtifactFiles.Signature);
        var signature = JsonNode.Parse(File.ReadAllText(path))!;

        // Only the id changed: the id no longer matches the key carried.
        signature["key_id"] = _key.KeyId;
        File.WriteAllText(path, signature.ToJsonString());
        var renamed = () => ModelArtifact.Load(directory, TrustingOurKey());
        renamed.Should().Throw<ArtifactRefusedException>().Where(e => e.Refusal == ArtifactRefusal.InvalidSignature).WithMessage("*names key*but carries key*");

        // The trusted public key copied in as well: the signature (by the other key) does not verify with it.
        signature["public_key"] = Convert.ToBase64String(_key.PublicKey);
        File.WriteAllText(path, signature.ToJsonString());
        var forged = () => ModelArtifact.Load(directory, TrustingOurKey());
        forged.Should().Throw<ArtifactRefusedException>().Where(e => e.Refusal == ArtifactRefusal.InvalidSignature).WithMessage("*does not verify*");
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"algorithm\":\"rsa-pss-sha256\",\"key_id\":\"x\",\"public_key\":\"\",\"signature\":\"\"}")]
    [InlineData("{\"algorithm\":\"ecdsa-p256-sha256\",\"key_id\":\"x\",\"public_key\":\"%%%\",\"signature\":\"%%%\"}")]
    public void An_unreadable_signature_file_is_refused_as_invalid(string content)
    {
        var directory = WriteArtifact(_key);
        File.WriteAllText(Path.Combine(directory, ArtifactFiles.Signature), content);

        var act = () => ModelArtifact.Load(directory, TrustingOurKey());

        act.Should().Throw<ArtifactRefusedException>().Where(e => e.Refusal == ArtifactRefusal.InvalidSignature);
    }

    [Fact]
    public void An_imported_model_is_signed_by_the_importer()
    {
        var train = SyntheticData.Binary(300);
        var result = XGBoostTrainer.Train(train, null, new TrainingOptions { Parameters = new() { ["objective"] = "binary:logistic" }, Rounds = 5 });
        var file = Path.Combine(_root, "elsewhere.ubj");
        using (result.Model) File.WriteAllBytes(file, result.Model.SaveUbj());

        var imported = ModelImporter.Import(new ImportRequest { ModelFile = file, FeatureNames = ["a", "b", "c", "d", "e"] }, Path.Combine(_root, "imported"), _key);

        ModelArtifact.Load(imported.Directory, TrustingOurKey()).Signature.KeyId.Should().Be(_key.KeyId);
    }

    [Fact]
    public void An_artifact_signed_after_it_was_written_loads_as_trusted()
    {
        var directory = WriteArtifact(null);

        ManifestSigning.SignDirectory(directory, _key);

        ModelArtifact.Load(directory, TrustingOurKey()).Signature.State.Should().Be(SignatureState.Trusted);
    }

    public void Dispose()
    {
        _key.Dispose();
        _other.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
