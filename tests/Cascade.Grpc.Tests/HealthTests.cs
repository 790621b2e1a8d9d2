using Cascade.Grpc.Client;
using Cascade.Grpc.Health;
using Cascade.Grpc.Tests.Infrastructure;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Cascade.Grpc.Tests;

public class HealthTests(GrpcTestServer server) : IClassFixture<GrpcTestServer>
{
    [Fact]
    public async Task Check_reports_the_server_as_serving()
    {
        var response = await server.Channel.UnaryAsync(HealthMethods.Check, new HealthCheckRequest());
        response.Status.Should().Be(ServingStatus.Serving);
    }

    [Fact]
    public async Task Check_of_an_unknown_service_is_not_found()
    {
        var act = async () => await server.Channel.UnaryAsync(HealthMethods.Check, new HealthCheckRequest { Service = "no.such.Service" });
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.NotFound);
    }

    [Fact]
    public async Task Watch_streams_the_current_status_and_every_change()
    {
        var registry = server.Services.GetRequiredService<HealthStatusRegistry>();
        using var call = server.Channel.ServerStreaming(HealthMethods.Watch, new HealthCheckRequest { Service = "watched.Service" }, CallOptions.WithTimeout(TimeSpan.FromSeconds(60)));
        await using var updates = call.ReadAllAsync().GetAsyncEnumerator();

        (await updates.MoveNextAsync()).Should().BeTrue();
        updates.Current.Status.Should().Be(ServingStatus.ServiceUnknown);

        registry.SetStatus("watched.Service", ServingStatus.Serving);
        (await updates.MoveNextAsync()).Should().BeTrue();
        updates.Current.Status.Should().Be(ServingStatus.Serving);

        registry.SetStatus("watched.Service", ServingStatus.NotServing);
        (await updates.MoveNextAsync()).Should().BeTrue();
        updates.Current.Status.Should().Be(ServingStatus.NotServing);
    }
}
