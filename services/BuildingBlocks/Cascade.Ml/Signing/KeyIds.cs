using System.Security.Cryptography;

namespace Cascade.Ml.Signing;

/// <summary>
/// The id of a public key: the SHA-256 of its SubjectPublicKeyInfo (DER), lower-case hex. An operator computes the same
/// with <c>openssl pkey -pubin -in model-signing.pub -outform DER | sha256sum</c>.
/// </summary>
public static class KeyIds
{
    public static string Of(ReadOnlySpan<byte> subjectPublicKeyInfo) => Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo));
}
