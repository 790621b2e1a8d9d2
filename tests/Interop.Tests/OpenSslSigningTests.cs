using System.Diagnostics;
using Cascade.Interop.Tests.Peers;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Signing;

namespace Cascade.Interop.Tests;

/// <summary>
/// Model signatures against OpenSSL's command line, which operators use to make keys and check artifacts by hand
/// (docs/security.md, "Signed models"): a key openssl made signs in Cascade, Cascade's signatures verify in openssl,
/// a key's id is the digest the docs compute, and an altered manifest fails openssl's check too.
/// </summary>
public sealed class OpenSslSigningTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-openssl-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Runs a command line of the docs in <see cref="_root"/>, as an operator's shell would.</summary>
    private Task<string> ShellAsync(string commandLine) =>
        ForeignProcess.RunAsync(new ProcessStartInfo("bash", ["-euo", "pipefail", "-c", commandLine]) { WorkingDirectory = _root });

    [Fact]
    public async Task A_key_openssl_made_signs_manifests_that_openssl_verifies_under_the_id_the_docs_compute()
    {
        await ShellAsync("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out model-signing.key && openssl pkey -in model-signing.key -pubout -out model-signing.pub");
        using var key = SigningKey.Load(Path.Combine(_root, "model-signing.key"));
        var digest = (await ShellAsync("openssl pkey -pubin -in model-signing.pub -outform DER | sha256sum")).Split(' ')[0];
        key.KeyId.Should().Be(digest);
        TrustedKeys.Load([Path.Combine(_root, "model-signing.pub")]).Ids.Should().Equal([key.KeyId]);

        var artifact = Directory.CreateDirectory(Path.Combine(_root, "artifact")).FullName;
        File.WriteAllText(Path.Combine(artifact, ArtifactFiles.Manifest), "{\n  \"files\": {\"model.json\": \"00\"}\n}\n");
        ManifestSigning.SignDirectory(artifact, key);

        const string Verify = "cd artifact && sed -n 's/.*\"signature\": \"\\(.*\\)\".*/\\1/p' manifest.sig | base64 -d > signature.der && openssl dgst -sha256 -verify ../model-signing.pub -signature signature.der manifest.json";
        (await ShellAsync(Verify)).Should().Contain("Verified OK");

        File.AppendAllText(Path.Combine(artifact, ArtifactFiles.Manifest), " ");
        var altered = () => ShellAsync(Verify);
        (await altered.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*exit code 1*");
    }

    [Fact]
    public async Task A_key_cascade_made_is_read_by_openssl_as_a_P256_key()
    {
        using (var key = SigningKey.Create()) key.Save(Path.Combine(_root, "model-signing.key"));

        var text = await ShellAsync("openssl pkey -in model-signing.key -noout -text");

        text.Should().Contain("prime256v1");
    }
}
