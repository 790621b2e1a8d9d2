using Cascade.Tests.Shared;
using FluentAssertions;

namespace Cascade.Cli.Tests.Security;

/// <summary>
/// The walk-through, with the real command line: keys made by <c>cascade keys create</c>, a host started with
/// authentication on over the same data directory, and the ops commands with and without <c>--api-key</c>.
/// </summary>
public sealed class KeysCommandTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-keys-").FullName;
    private InProcessHost _host = null!;
    private string _predictor = null!;
    private string _operator = null!;

    public async Task InitializeAsync()
    {
        _predictor = await CreateKeyAsync("--role", "predictor", "--name", "pat");
        _operator = await CreateKeyAsync("--role", "operator");
        _host = await InProcessHost.StartAsync(_data, "--Cascade:Auth:Enabled=true");
    }

    [Fact]
    public async Task Keys_are_printed_once_and_listed_by_name_never_by_value()
    {
        _predictor.Should().StartWith("cascade_");
        var list = await CascadeProcess.RunAsync("keys", "list", "--data-dir", _data);
        list.ExitCode.Should().Be(0, list.ToString());
        list.Output.Should().Contain("pat").And.Contain("predictor").And.Contain("operator");
        list.Output.Should().NotContain(_predictor[^20..]);
        File.ReadAllText(Path.Combine(_data, "keys.json")).Should().NotContain(_predictor[^20..]).And.NotContain(_operator[^20..]);

        var unknownRole = await CascadeProcess.RunAsync("keys", "create", "--role", "superuser", "--data-dir", _data);
        unknownRole.ExitCode.Should().Be(2);
        unknownRole.Error.Should().Contain("reader, predictor, producer, operator, admin, service");
    }

    [Fact]
    public async Task Commands_without_a_key_are_unauthenticated_a_predictor_may_list_and_only_an_operator_may_promote()
    {
        var anonymous = await CascadeProcess.RunAsync("models", "list", "--grpc", _host.Grpc);
        anonymous.ExitCode.Should().Be(1);
        anonymous.Error.Should().Contain("Unauthenticated");

        (await CascadeProcess.RunAsync("models", "list", "--grpc", _host.Grpc, "--api-key", _predictor)).ExitCode.Should().Be(0);

        var denied = await CascadeProcess.RunAsync("models", "promote", "churn", "1", "--reason", "test", "--grpc", _host.Grpc, "--api-key", _predictor);
        denied.ExitCode.Should().Be(1);
        denied.Error.Should().Contain("PermissionDenied").And.Contain("needs operator");

        var allowed = await CascadeProcess.RunAsync("models", "promote", "churn", "1", "--reason", "test", "--grpc", _host.Grpc, "--api-key", _operator);
        allowed.Error.Should().NotContain("PermissionDenied").And.NotContain("Unauthenticated");

        var audit = await CascadeProcess.RunAsync("audit", "--data-dir", _data, "-o", "json");
        audit.ExitCode.Should().Be(0, audit.ToString());
        audit.Output.Should().Contain("\"principal\": \"pat\"").And.Contain("\"outcome\": \"denied\"").And.Contain("PromoteModelVersion");
    }

    [Fact]
    public async Task A_revoked_key_stops_working()
    {
        var key = await CreateKeyAsync("--role", "reader", "--name", "temp");
        (await CascadeProcess.RunAsync("models", "list", "--grpc", _host.Grpc, "--api-key", key)).ExitCode.Should().Be(0);
        (await CascadeProcess.RunAsync("keys", "revoke", "temp", "--data-dir", _data)).ExitCode.Should().Be(0);
        await Eventually.WaitUntilAsync(async () => (await CascadeProcess.RunAsync("models", "list", "--grpc", _host.Grpc, "--api-key", key)).ExitCode == 1,
            "the revoked key is refused", TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(500));
        (await CascadeProcess.RunAsync("keys", "revoke", "temp", "--data-dir", _data)).ExitCode.Should().Be(1, "it is revoked already");
    }

    private async Task<string> CreateKeyAsync(params string[] args)
    {
        var result = await CascadeProcess.RunAsync(["keys", "create", .. args, "--data-dir", _data]);
        result.ExitCode.Should().Be(0, result.ToString());
        return result.Output.TrimEnd().Split('\n')[^1].Trim();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
