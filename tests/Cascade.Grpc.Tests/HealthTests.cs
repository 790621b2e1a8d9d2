using Cascade.Grpc.Client;
using Cascade.Grpc.Health;
using Cascade.Grpc.Tests.Infrastructure;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Cascade.Grpc.Tests;

public class HealthTests(GrpcTestServer server) : IClassFixture<GrpcTestServer>
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Check_reports_the_server_as_serving()
    {
        var response = await server.Channel.UnaryAsync(HealthMethods.Check, new HealthCheckRequest());
        response.Status.Should().Be(ServingStatus.Serving);
    }

    [Fact]
    public async Task Check_reports_the_status_a_service_set()
    {
        var registry = server.Services.GetRequiredService<HealthStatusRegistry>();
        registry.SetStatus("cascade.checked.v1.Service", ServingStatus.NotServing);
        (await server.Channel.UnaryAsync(HealthMethods.Check, new HealthCheckRequest { Service = "cascade.checked.v1.Service" })).Status.Should().Be(ServingStatus.NotServing);
        registry.SetStatus("cascade.checked.v1.Service", ServingStatus.Serving);
        (await server.Channel.UnaryAsync(HealthMethods.Check, new HealthCheckRequest { Service = "cascade.checked.v1.Service" })).Status.Should().Be(ServingStatus.Serving);
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
        using var call = server.Channel.ServerStreaming(HealthMethods.Watch, new HealthCheckRequest { Service = "watched.Service" }, CallOptions.WithTimeout(HangGuard));
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

    [Fact]
    public async Task Shutdown_tells_watchers_not_serving_and_ends_their_streams_unavailable()
    {
        var own = new GrpcTestServer();
        await own.InitializeAsync();
        try
        {
            using var call = own.Channel.ServerStreaming(HealthMethods.Watch, new HealthCheckRequest(), CallOptions.WithTimeout(HangGuard));
            await using var updates = call.ReadAllAsync().GetAsyncEnumerator();
            (await updates.MoveNextAsync()).Should().BeTrue();
            updates.Current.Status.Should().Be(ServingStatus.Serving);

            // Graceful shutdown waits for open calls: the watch must end by itself for this to finish.
            var stopping = own.StopAsync();

            (await updates.MoveNextAsync().AsTask().WaitAsync(HangGuard)).Should().BeTrue();
            updates.Current.Status.Should().Be(ServingStatus.NotServing);
            var act = async () => await updates.MoveNextAsync().AsTask().WaitAsync(HangGuard);
            (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Unavailable);
            await stopping.WaitAsync(HangGuard);
        }
        finally
        {
            await own.DisposeAsync();
        }
    }

    [Fact]
    public void After_shutdown_every_status_is_not_serving_and_stays_so()
    {
        var registry = new HealthStatusRegistry();
        registry.SetStatus("a.Service", ServingStatus.Serving);
        registry.EnterShutdown();
        registry.SetStatus("a.Service", ServingStatus.Serving);
        registry.GetStatus("a.Service").Should().Be(ServingStatus.NotServing);
        registry.GetStatus(string.Empty).Should().Be(ServingStatus.NotServing);
        registry.IsShuttingDown.Should().BeTrue();
    }
}
