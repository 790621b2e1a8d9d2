using Cascade.Contracts.Monitoring.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cascade.EndToEnd.Tests;

/// <summary>Bad input to the Monitoring API gets the right status code and a message that says what to fix.</summary>
public sealed class MonitoringApiTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-monitoring-api-").FullName;
    private InProcessHost _host = null!;

    private GrpcChannel Channel => _host.Channel;

    public async Task InitializeAsync() => _host = await InProcessHost.StartAsync(_data);

    [Fact]
    public async Task Health_of_a_model_never_promoted_is_not_found()
    {
        var call = async () => await new Cascade.Contracts.Monitoring.V1.Monitoring.MonitoringClient(Channel).GetModelHealthAsync(new GetModelHealthRequest { Model = "nobody" });
        (await call.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.NotFound);
        var empty = async () => await new Cascade.Contracts.Monitoring.V1.Monitoring.MonitoringClient(Channel).GetModelHealthAsync(new GetModelHealthRequest());
        (await empty.Should().ThrowAsync<RpcException>()).Which.Status.Detail.Should().Contain("model is required");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1_001)]
    public async Task Watching_with_a_replay_out_of_range_is_refused(int replay)
    {
        using var call = new Cascade.Contracts.Monitoring.V1.Monitoring.MonitoringClient(Channel).WatchAlerts(new WatchAlertsRequest { Replay = replay });
        var read = async () => { await foreach (var _ in call.ResponseStream.ReadAllAsync()) { } };
        var error = (await read.Should().ThrowAsync<RpcException>()).Which;
        error.StatusCode.Should().Be(StatusCode.InvalidArgument);
        error.Status.Detail.Should().Contain("replay must be between 0 and 1000");
    }

    [Fact]
    public async Task Acknowledging_needs_an_existing_alert_and_an_actor()
    {
        var unknown = async () => await new Cascade.Contracts.Monitoring.V1.Monitoring.MonitoringClient(Channel).AcknowledgeAlertAsync(new AcknowledgeAlertRequest { AlertId = "no-such-alert", Actor = "ops" });
        (await unknown.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.NotFound);
        var anonymous = async () => await new Cascade.Contracts.Monitoring.V1.Monitoring.MonitoringClient(Channel).AcknowledgeAlertAsync(new AcknowledgeAlertRequest { AlertId = "x" });
        (await anonymous.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.InvalidArgument);
    }

    [Fact]
    public async Task Listing_with_a_negative_limit_is_refused_and_an_empty_host_has_no_alerts()
    {
        var negative = async () => await new Cascade.Contracts.Monitoring.V1.Monitoring.MonitoringClient(Channel).ListAlertsAsync(new ListAlertsRequest { Limit = -5 });
        (await negative.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.InvalidArgument);
        (await new Cascade.Contracts.Monitoring.V1.Monitoring.MonitoringClient(Channel).ListAlertsAsync(new ListAlertsRequest())).Alerts.Should().BeEmpty();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
