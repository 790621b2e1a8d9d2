using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cascade.Hosting.Tests;

/// <summary>
/// Cascade sends nothing to third parties: MassTransit's usage telemetry (on by default since 8.3, reported to
/// usage-tracking.masstransit.io a few minutes after start) is off in every host that runs the job bus.
/// </summary>
public sealed class UsageTelemetryTests(HostFixture host) : IClassFixture<HostFixture>
{
    [Fact]
    public void The_job_bus_reports_no_usage_telemetry()
    {
        host.Host.Services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled.Should().BeFalse();
    }
}
