using System.Security.Cryptography;
using Cascade.Ml.Signing;

namespace Cascade.Ml.Tests.Signing;

public sealed class TrustedKeysTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-trusted-keys-").FullName;

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Files_and_directories_of_public_keys_are_trusted_and_dot_entries_skipped()
    {
        using var a = SigningKey.Create();
        using var b = SigningKey.Create();
        using var c = SigningKey.Create();
        var single = Write("a.pub", a.PublicKeyPem);
        Write("dir/b.pub", b.PublicKeyPem);
        Write("dir/c-and-a.pem", c.PublicKeyPem + a.PublicKeyPem);
        Write("dir/..data", "a Kubernetes volume's bookkeeping, not a key");

        var trusted = TrustedKeys.Load([single, Path.Combine(_root, "dir")]);

        trusted.Ids.Should().BeEquivalentTo([a.KeyId, b.KeyId, c.KeyId]);
    }

    [Fact]
    public void Options_name_several_paths_separated_as_in_PATH()
    {
        using var a = SigningKey.Create();
        using var b = SigningKey.Create();
        var options = new ModelSigningOptions { TrustedKeys = Write("a.pub", a.PublicKeyPem) };

        options.Trust(Write("b.pub", b.PublicKeyPem));
        options.Trust(Path.Combine(_root, "b.pub"));

        options.TrustedKeyPaths().Should().HaveCount(2);
        ArtifactTrust.From(options).Keys.Ids.Should().BeEquivalentTo([a.KeyId, b.KeyId]);
    }

    [Fact]
    public void A_missing_path_a_file_without_a_key_a_private_key_and_another_curve_are_refused_naming_the_file()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var key = SigningKey.Create();
        var privateKey = Path.Combine(_root, "private.key");
        key.Save(privateKey);

        ((Action)(() => TrustedKeys.Load([Path.Combine(_root, "absent")]))).Should().Throw<SigningKeyException>().WithMessage("*absent*does not exist*");
        ((Action)(() => TrustedKeys.Load([Write("readme.txt", "keys go here")]))).Should().Throw<SigningKeyException>().WithMessage("*readme.txt*no PEM public key*");
        ((Action)(() => TrustedKeys.Load([privateKey]))).Should().Throw<SigningKeyException>().WithMessage("*private.key*private key*");
        ((Action)(() => TrustedKeys.Load([Write("p384.pub", p384.ExportSubjectPublicKeyInfoPem())]))).Should().Throw<SigningKeyException>().WithMessage("*P-256*");
    }

    [Fact]
    public void Requiring_signatures_without_a_trusted_key_is_refused_and_allowed_otherwise()
    {
        var act = () => ArtifactTrust.From(new ModelSigningOptions());

        act.Should().Throw<SigningKeyException>().WithMessage("*no trusted key*");
        ArtifactTrust.From(new ModelSigningOptions { RequireSignature = false }).Keys.Count.Should().Be(0);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
