using System.ComponentModel.DataAnnotations;
using Cascade.Serving.Privacy;

namespace Cascade.Serving.Tests.Privacy;

public sealed class PrivacyOptionsTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-privacy-key-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private static List<ValidationResult> Validate(PrivacyOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    [Fact]
    public void Defaults_are_the_documented_values_and_valid()
    {
        var options = new PrivacyOptions();

        options.HashKey.Should().BeEmpty();
        PrivacyOptions.SectionName.Should().Be("Cascade:Privacy");
        Validate(options).Should().BeEmpty();
    }

    [Theory]
    [InlineData("not base64!", "not base64")]
    [InlineData("c2hvcnQ=", "at least 16")]
    public void A_key_that_is_not_base64_or_too_short_is_refused(string key, string reason)
    {
        var results = Validate(new PrivacyOptions { HashKey = key });

        results.Should().ContainSingle().Which.ErrorMessage.Should().Contain(reason);
        results[0].MemberNames.Should().Equal("HashKey");
    }

    [Fact]
    public void A_configured_key_is_used_as_it_is()
    {
        var key = Enumerable.Range(0, 20).Select(i => (byte)i).ToArray();

        PrivacyKey.Load(new PrivacyOptions { HashKey = Convert.ToBase64String(key) }, _data).Should().Equal(key);
        File.Exists(Path.Combine(_data, PrivacyKey.FileName)).Should().BeFalse("nothing is generated when a key is set");
    }

    [Fact]
    public void Without_a_key_one_is_generated_once_readable_by_its_owner_only_and_kept()
    {
        var first = PrivacyKey.Load(new PrivacyOptions(), _data);
        var again = PrivacyKey.Load(new PrivacyOptions(), _data);

        first.Should().HaveCount(32).And.Equal(again);
        first.Should().NotEqual(new byte[32]);
        var path = Path.Combine(_data, PrivacyKey.FileName);
        if (!OperatingSystem.IsWindows()) File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        PrivacyKey.Load(new PrivacyOptions(), Path.Combine(_data, "other")).Should().NotEqual(first, "another data directory gets its own key");
    }
}
