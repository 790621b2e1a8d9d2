using Cascade.Contracts;
using Cascade.Hosting.Health;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Cascade.Hosting.Tests;

public class HealthTests(HostFixture host) : IClassFixture<HostFixture>
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private global::Grpc.Health.V1.Health.HealthClient Client => new(host.Channel);

    [Theory]
    [InlineData("")]
    [InlineData("cascade.serving.v1.Serving")]
    [InlineData("inference.GRPCInferenceService")]
    [InlineData("cascade.monitoring.v1.Monitoring")]
    public async Task Check_reports_the_server_and_each_service_as_serving(string service)
    {
        var response = await Client.CheckAsync(new HealthCheckRequest { Service = service }, GrpcCalls.Within(HangGuard));
        response.Status.Should().Be(ServingStatus.Serving);
    }

    [Fact]
    public async Task Check_reports_the_status_a_service_set()
    {
        var registry = host.Host.Services.GetRequiredService<HealthStatusRegistry>();
        registry.SetStatus("cascade.checked.v1.Service", ServingStatus.NotServing);
        (await Client.CheckAsync(new HealthCheckRequest { Service = "cascade.checked.v1.Service" })).Status.Should().Be(ServingStatus.NotServing);
        registry.SetStatus("cascade.checked.v1.Service", ServingStatus.Serving);
        (await Client.CheckAsync(new HealthCheckRequest { Service = "cascade.checked.v1.Service" })).Status.Should().Be(ServingStatus.Serving);
    }

    [Fact]
    public async Task Check_of_an_unknown_service_is_not_found_and_names_it()
    {
        var act = async () => await Client.CheckAsync(new HealthCheckRequest { Service = "no.such.Service" });
        var error = (await act.Should().ThrowAsync<RpcException>()).Which;
        error.StatusCode.Should().Be(StatusCode.NotFound);
        error.Status.Detail.Should().Contain("no.such.Service");
    }

    [Fact]
    public async Task Watch_streams_the_current_status_and_every_change()
    {
        var registry = host.Host.Services.GetRequiredService<HealthStatusRegistry>();
        using var call = Client.Watch(new HealthCheckRequest { Service = "watched.Service" }, GrpcCalls.Within(HangGuard));
        await using var updates = call.ResponseStream.ReadAllAsync().GetAsyncEnumerator();

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
        var own = new HostFixture();
        await own.InitializeAsync();
        try
        {
            using var call = new global::Grpc.Health.V1.Health.HealthClient(own.Channel).Watch(new HealthCheckRequest(), GrpcCalls.Within(HangGuard));
            await using var updates = call.ResponseStream.ReadAllAsync().GetAsyncEnumerator();
            (await updates.MoveNextAsync()).Should().BeTrue();
            updates.Current.Status.Should().Be(ServingStatus.Serving);

            // A graceful stop waits for open calls: the watch must end by itself for this to finish in time.
            var stopping = own.Host.StopAsync();

            (await updates.MoveNextAsync().AsTask().WaitAsync(HangGuard)).Should().BeTrue();
            updates.Current.Status.Should().Be(ServingStatus.NotServing);
            var act = async () => await updates.MoveNextAsync().AsTask().WaitAsync(HangGuard);
            (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Unavailable);
            await stopping.WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            await own.DisposeAsync();
        }
    }

    [Fact]
    public async Task Healthz_answers_200_with_the_status()
    {
        var response = await host.Http.GetAsync("/healthz");
        response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Contain("Serving");
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
