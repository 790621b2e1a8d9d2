using Cascade.Cli.Import;
using Cascade.Ml.Signing;

namespace Cascade.Cli.Tests.Import;

/// <summary>Which key <c>cascade models import</c> signs with: the option, else the setting, else the all-in-one host's key in the current folder.</summary>
public sealed class ImportSigningKeyTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-import-key-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private (string Path, string Id) NewKey(string relative)
    {
        var path = Path.Combine(_root, relative);
        using var key = SigningKey.Load(SigningKeyFiles.EnsureCreated(path));
        return (path, key.KeyId);
    }

    [Fact]
    public void The_option_wins_over_the_setting_which_wins_over_the_hosts_key_here()
    {
        var option = NewKey("option.key");
        var setting = NewKey("setting.key");
        var host = NewKey(ImportSigningKey.AllInOneDefault);

        Id(ImportSigningKey.Resolve(option.Path, setting.Path, _root)).Should().Be(option.Id);
        Id(ImportSigningKey.Resolve(null, setting.Path, _root)).Should().Be(setting.Id);
        Id(ImportSigningKey.Resolve(null, null, _root)).Should().Be(host.Id);
    }

    [Fact]
    public void Without_any_key_the_error_says_where_one_comes_from()
    {
        var (key, error) = ImportSigningKey.Resolve(null, "  ", _root);

        key.Should().BeNull();
        error.Should().Contain("--signing-key FILE").And.Contain("DATA/signing/model-signing.key").And.Contain("--unsigned");
    }

    [Fact]
    public void A_named_key_that_is_not_one_is_an_error_naming_where_it_came_from()
    {
        var path = Path.Combine(_root, "oops.key");
        File.WriteAllText(path, "not a key");

        var (key, error) = ImportSigningKey.Resolve(null, path, _root);

        key.Should().BeNull();
        error.Should().StartWith(ImportSigningKey.EnvironmentVariable).And.Contain("oops.key");
    }

    private static string? Id((SigningKey? Key, string? Error) resolved)
    {
        using var key = resolved.Key;
        resolved.Error.Should().BeNull();
        return key?.KeyId;
    }
}
