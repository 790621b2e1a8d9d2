using System.ComponentModel.DataAnnotations;
using Cascade.Features.Options;

namespace Cascade.Features.Tests.Categorical;

public sealed class VocabularyOptionsTests
{
    [Fact]
    public void Defaults_are_the_documented_values_and_valid()
    {
        var options = new VocabularyOptions();

        options.MaxRecords.Should().Be(1_000_000);
        options.TypeCheckRecords.Should().Be(1_000);
        options.Timeout.Should().Be(TimeSpan.FromMinutes(2));
        VocabularyOptions.SectionName.Should().Be("Cascade:Features:Vocabulary");
        Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true).Should().BeTrue();
    }

    [Fact]
    public void Values_outside_their_ranges_are_refused()
    {
        var options = new VocabularyOptions { MaxRecords = 0, TypeCheckRecords = -1, Timeout = TimeSpan.Zero };
        var results = new List<ValidationResult>();

        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true).Should().BeFalse();

        results.SelectMany(r => r.MemberNames).Should().BeEquivalentTo(["MaxRecords", "TypeCheckRecords", "Timeout"]);
    }
}
