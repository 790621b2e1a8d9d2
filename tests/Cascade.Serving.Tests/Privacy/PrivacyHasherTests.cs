using Cascade.Serving.Privacy;

namespace Cascade.Serving.Tests.Privacy;

public sealed class PrivacyHasherTests
{
    private static readonly byte[] Key = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();

    [Fact]
    public void A_hash_is_16_hex_digits_the_same_for_the_same_value_and_unlike_for_another()
    {
        var hasher = new PrivacyHasher(Key);

        var first = hasher.Hash("age", [37f], [0]);

        first.Should().MatchRegex("^[0-9a-f]{16}$");
        hasher.Hash("age", [99f, 37f], [1]).Should().Be(first, "only the values at the group's positions count");
        hasher.Hash("age", [38f], [0]).Should().NotBe(first);
        hasher.Hash("years", [37f], [0]).Should().NotBe(first, "the name keeps equal values of different features apart");
    }

    [Fact]
    public void Without_the_key_the_hash_of_a_small_domain_cannot_be_matched_by_hashing_every_candidate()
    {
        // What someone without the key can do: hash all 150 ages with another key, or with none.
        var secret = new PrivacyHasher(Key).Hash("age", [37f], [0]);
        var guessed = new PrivacyHasher(new byte[32]);

        Enumerable.Range(0, 150).Select(age => guessed.Hash("age", [age], [0])).Should().NotContain(secret);
        Enumerable.Range(0, 150).Select(age => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes((float)age)))[..16]).Should().NotContain(secret);
    }

    [Fact]
    public void Negative_zero_and_every_nan_hash_as_zero_and_the_one_nan()
    {
        var hasher = new PrivacyHasher(Key);

        hasher.Hash("x", [-0f], [0]).Should().Be(hasher.Hash("x", [0f], [0]));
        hasher.Hash("x", [BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00001))], [0]).Should().Be(hasher.Hash("x", [float.NaN], [0]));
    }

    [Fact]
    public void A_group_of_several_positions_hashes_them_in_order()
    {
        var hasher = new PrivacyHasher(Key);

        hasher.Hash("city", [0f, 1f, 0f], [0, 1, 2]).Should().NotBe(hasher.Hash("city", [1f, 0f, 0f], [0, 1, 2]), "another category of a one-hot column");
        hasher.Hash("city", [0f, 1f, 0f], [0, 1, 2]).Should().Be(hasher.Hash("city", [9f, 0f, 1f, 0f], [1, 2, 3]));
    }
}
