using Cascade.WebConsole.Options;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cascade.WebConsole.Tests.Options;

public sealed class ConsoleOptionsTests
{
    [Fact]
    public void Defaults_serve_the_APIs_in_process_and_replay_100_alerts()
    {
        var options = new ConsoleOptions();
        options.MonitoringAddress.Should().BeEmpty();
        options.AlertReplay.Should().Be(100);
        options.KeepAliveSeconds.Should().Be(15);
        options.Upstreams.Should().BeEmpty();
        new ServiceCollection().AddCascadeConsole().Should().Contain(d => d.ServiceType == typeof(ConsoleOptions));
    }

    [Theory]
    [InlineData("registy", "http://127.0.0.1:8084", "http://127.0.0.1:50058", "no such service")]
    [InlineData("registry", "127.0.0.1:8084", "http://127.0.0.1:50058", "is not an HTTP origin")]
    [InlineData("registry", "http://127.0.0.1:8084/v1", "http://127.0.0.1:50058", "is not an HTTP origin")]
    [InlineData("registry", "http://127.0.0.1:8084", "", "must name Monitoring's gRPC address")]
    public void A_bad_upstream_is_refused_at_start_with_its_key(string area, string origin, string monitoring, string message)
    {
        var add = () => new ServiceCollection().AddCascadeConsole(o =>
        {
            o.Upstreams[area] = origin;
            o.MonitoringAddress = monitoring;
        });
        add.Should().Throw<OptionsValidationException>().WithMessage($"*Cascade:Console*{message}*");
    }

    [Fact]
    public void An_alert_replay_out_of_range_is_refused() =>
        FluentActions.Invoking(() => new ServiceCollection().AddCascadeConsole(o => o.AlertReplay = 5000))
            .Should().Throw<OptionsValidationException>().WithMessage("*AlertReplay*");
}
