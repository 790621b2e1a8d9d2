using System.Security.Cryptography;
using Cascade.Ml.Signing;

namespace Cascade.Ml.Tests.Signing;

public sealed class SigningKeyTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-signing-key-").FullName;

    private string PathOf(string name) => Path.Combine(_root, name);

    [Fact]
    public void A_saved_key_is_private_to_its_owner_and_loads_back_with_the_same_id()
    {
        using var key = SigningKey.Create();
        var path = PathOf("model-signing.key");

        key.Save(path);

        File.ReadAllText(path).Should().StartWith("-----BEGIN PRIVATE KEY-----", "PKCS#8, as openssl genpkey writes it");
        if (!OperatingSystem.IsWindows()) File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var loaded = SigningKey.Load(path);
        loaded.KeyId.Should().Be(key.KeyId);
        loaded.PublicKey.Should().Equal(key.PublicKey);
    }

    [Fact]
    public void Saving_never_replaces_an_existing_key()
    {
        using var first = SigningKey.Create();
        using var second = SigningKey.Create();
        var path = PathOf("model-signing.key");
        first.Save(path);

        var act = () => second.Save(path);

        act.Should().Throw<IOException>();
        SigningKey.Load(path).KeyId.Should().Be(first.KeyId);
    }

    [Fact]
    public void The_key_id_is_the_sha256_of_the_public_key_info()
    {
        using var key = SigningKey.Create();

        key.KeyId.Should().Be(Convert.ToHexStringLower(SHA256.HashData(key.PublicKey))).And.HaveLength(64);
        key.PublicKeyPem.Should().StartWith("-----BEGIN PUBLIC KEY-----");
    }

    [Fact]
    public void A_key_in_sec1_form_loads_too()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(PathOf("sec1.key"), ecdsa.ExportECPrivateKeyPem());

        using var key = SigningKey.Load(PathOf("sec1.key"));

        key.PublicKey.Should().Equal(ecdsa.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void A_missing_file_a_public_key_an_encrypted_key_and_another_curve_are_refused_saying_why()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(PathOf("public.pem"), p256.ExportSubjectPublicKeyInfoPem());
        File.WriteAllText(PathOf("encrypted.pem"), p256.ExportEncryptedPkcs8PrivateKeyPem("secret", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000)));
        File.WriteAllText(PathOf("p384.pem"), p384.ExportPkcs8PrivateKeyPem());
        using var rsa = RSA.Create(2048);
        File.WriteAllText(PathOf("rsa.pem"), rsa.ExportPkcs8PrivateKeyPem());

        ((Action)(() => SigningKey.Load(PathOf("absent.key")))).Should().Throw<SigningKeyException>().WithMessage("*cannot read*absent.key*");
        ((Action)(() => SigningKey.Load(PathOf("public.pem")))).Should().Throw<SigningKeyException>().WithMessage("*no PEM private key*");
        ((Action)(() => SigningKey.Load(PathOf("encrypted.pem")))).Should().Throw<SigningKeyException>().WithMessage("*encrypted*");
        ((Action)(() => SigningKey.Load(PathOf("p384.pem")))).Should().Throw<SigningKeyException>().WithMessage("*P-256*");
        ((Action)(() => SigningKey.Load(PathOf("rsa.pem")))).Should().Throw<SigningKeyException>().WithMessage("*not an ECDSA private key*");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
