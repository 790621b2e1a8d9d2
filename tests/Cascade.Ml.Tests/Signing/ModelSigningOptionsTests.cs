using Cascade.Ml.Signing;

namespace Cascade.Ml.Tests.Signing;

public sealed class ModelSigningOptionsTests
{
    [Fact]
    public void Defaults_require_signatures_and_name_no_key()
    {
        var options = new ModelSigningOptions();

        options.RequireSignature.Should().BeTrue();
        options.PrivateKeyFile.Should().BeNull();
        options.TrustedKeys.Should().BeNull();
        options.TrustedKeyPaths().Should().BeEmpty();
        ModelSigningOptions.SectionName.Should().Be("Cascade:Signing");
    }
}
