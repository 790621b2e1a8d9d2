using System.Net;
using Cascade.Contracts;
using Cascade.EventLog.Abstractions;
using Cascade.EventLog.Handlers;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Cascade.Hosting.Tests;

/// <summary>Readiness follows the event handlers: the server is NOT_SERVING while one is stuck, SERVING once it recovers.</summary>
public sealed class ConsumerHealthTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-consumer-health-").FullName;
    private readonly StuckHandler _handler = new();
    private WebApplication _host = null!;
    private GrpcChannel _channel = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var options = new ServiceHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = _data };
        _host = ServiceHost.Build(options, [], (services, _) =>
        {
            services.AddSingleton(_handler);
            services.AddEventHandler<StuckHandler>();
        }, _ => { });
        await _host.StartAsync();
        var (grpc, http) = ServiceHost.GetAddresses(_host, options.BindAddress);
        _channel = GrpcChannel.ForAddress(grpc);
        _http = new HttpClient { BaseAddress = new Uri(http) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        _channel.Dispose();
        await _host.StopAsync();
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    private async Task WaitForServerStatus(ServingStatus expected, HttpStatusCode healthz)
    {
        var client = new global::Grpc.Health.V1.Health.HealthClient(_channel);
        await Eventually.WaitForAsync(
            async () => (Status: (await client.CheckAsync(new HealthCheckRequest { Service = "" }, GrpcCalls.Within(Deadline))).Status, Healthz: (await _http.GetAsync("/healthz")).StatusCode),
            seen => seen.Status == expected && seen.Healthz == healthz,
            $"the server is {expected} (/healthz {healthz})", Deadline);
    }

    [Fact]
    public async Task The_server_is_not_serving_while_a_handler_is_stuck_and_serving_again_once_it_recovers()
    {
        await WaitForServerStatus(ServingStatus.NotServing, HttpStatusCode.ServiceUnavailable);
        _host.Services.GetRequiredService<IConsumerHealth>().Groups.Should().ContainKey("stuck-group").WhoseValue.LastError.Should().Contain("dependency down");

        _handler.Recover();
        await WaitForServerStatus(ServingStatus.Serving, HttpStatusCode.OK);
        _host.Services.GetRequiredService<IConsumerHealth>().AnyStuck.Should().BeFalse();
    }

    /// <summary>Fails every poll (a dependency down) until told to recover.</summary>
    public sealed class StuckHandler : IEventBatchHandler
    {
        private volatile bool _recovered;

        public EventHandlerOptions Options { get; } = new()
        {
            Subscription = new ConsumerOptions("stuck-group", ["test.consumer-health"]),
            PollInterval = TimeSpan.FromMilliseconds(20),
            InitialBackoff = TimeSpan.FromMilliseconds(10),
            MaxBackoff = TimeSpan.FromMilliseconds(50),
        };

        public void Recover() => _recovered = true;

        public Task<BatchResult> HandleAsync(IReadOnlyList<ConsumedRecord> batch, CancellationToken cancellationToken) =>
            _recovered ? Task.FromResult(BatchResult.Commit) : throw new IOException("dependency down");
    }
}
