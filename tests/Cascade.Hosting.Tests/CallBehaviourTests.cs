using MonitoringClient = Cascade.Contracts.Monitoring.V1.Monitoring.MonitoringClient;
using IngestionClient = Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient;
using Cascade.Contracts;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Monitoring.V1;
using Cascade.Monitoring.Alerts;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Cascade.Hosting.Tests;

/// <summary>
/// What Cascade's handlers promise their callers on the gRPC stack: deadlines and cancellation end the work, message
/// limits are RESOURCE_EXHAUSTED, unknown methods UNIMPLEMENTED, and one slow stream never holds up other calls.
/// </summary>
public class CallBehaviourTests(HostFixture host) : IClassFixture<HostFixture>
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private AlertFeed Feed => host.Host.Services.GetRequiredService<AlertFeed>();

    [Fact]
    public async Task An_alert_stream_past_its_deadline_ends_deadline_exceeded_and_stops_watching()
    {
        var before = Feed.Watchers;
        using var call = new MonitoringClient(host.Channel).WatchAlerts(new WatchAlertsRequest(), GrpcCalls.Within(TimeSpan.FromMilliseconds(300)));
        var read = async () => await call.ResponseStream.MoveNext(default);
        (await read.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.DeadlineExceeded);
        await Eventually.WaitUntilAsync(() => Feed.Watchers == before, "the handler's subscription ends with its deadline", HangGuard);
    }

    [Fact]
    public async Task Cancelling_an_alert_stream_stops_the_handler()
    {
        var before = Feed.Watchers;
        using var cts = new CancellationTokenSource();
        using var call = new MonitoringClient(host.Channel).WatchAlerts(new WatchAlertsRequest(), cancellationToken: cts.Token);
        await Eventually.WaitUntilAsync(() => Feed.Watchers == before + 1, "the stream is open", HangGuard);
        await cts.CancelAsync();
        var read = async () => await call.ResponseStream.MoveNext(default);
        (await read.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Cancelled);
        await Eventually.WaitUntilAsync(() => Feed.Watchers == before, "the handler's subscription ends when the client cancels", HangGuard);
    }

    [Fact]
    public async Task A_request_over_the_message_limit_is_resource_exhausted_and_the_server_stays_up()
    {
        var request = new IngestRequest { Dataset = "anything" };
        request.Records.Add(new Cascade.Contracts.Ingestion.V1.Record { RecordId = "big", EntityId = new string('x', 5 * 1024 * 1024) });
        var act = async () => await new IngestionClient(host.Channel).IngestBatchAsync(request, GrpcCalls.Within(HangGuard));
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.ResourceExhausted);

        (await new IngestionClient(host.Channel).ListDatasetsAsync(new ListDatasetsRequest(), GrpcCalls.Within(HangGuard))).Should().NotBeNull();
    }

    [Fact]
    public async Task A_client_stream_may_carry_more_than_kestrels_30_megabytes_in_messages_under_the_limit()
    {
        // Found by fuzzing: Kestrel's request body cap (30 MB) cut long client streams off with UNKNOWN.
        using var call = new Cascade.Contracts.Registry.V1.Registry.RegistryClient(host.Channel).UploadArtifact(GrpcCalls.Within(TimeSpan.FromMinutes(2)));
        const int chunkBytes = 1024 * 1024, chunks = 34;
        var chunk = Google.Protobuf.ByteString.CopyFrom(new byte[chunkBytes]);
        var sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(new byte[chunkBytes * chunks]));
        for (var i = 0; i < chunks; i++)
        {
            await call.RequestStream.WriteAsync(new Cascade.Contracts.Registry.V1.ArtifactUploadChunk { Data = chunk, Offset = (long)i * chunkBytes, TotalSize = (long)chunkBytes * chunks, Sha256 = sha256 });
        }
        await call.RequestStream.CompleteAsync();

        // Read to the end and answered for what it is (stored, or refused as no artifact), never cut off.
        try
        {
            await call.ResponseAsync;
        }
        catch (RpcException ex)
        {
            ex.StatusCode.Should().BeOneOf([StatusCode.InvalidArgument, StatusCode.FailedPrecondition], ex.Status.Detail);
            ex.Status.Detail.Should().NotContain("too large");
        }
    }

    [Fact]
    public async Task A_message_over_the_limit_inside_a_client_stream_ends_it_resource_exhausted()
    {
        using var call = new IngestionClient(host.Channel).Ingest(GrpcCalls.Within(HangGuard));
        var big = new IngestRequest { Dataset = "anything" };
        big.Records.Add(new Cascade.Contracts.Ingestion.V1.Record { RecordId = "big", EntityId = new string('x', 5 * 1024 * 1024) });
        try
        {
            await call.RequestStream.WriteAsync(big);
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The server may end the call while the client still writes; the status below is what counts.
        }
        var act = async () => await call.ResponseAsync;
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.ResourceExhausted);
    }

    [Fact]
    public async Task An_unknown_method_is_unimplemented()
    {
        var method = new Method<ListAlertsRequest, ListAlertsResponse>(MethodType.Unary, "cascade.monitoring.v1.Monitoring", "NoSuchMethod",
            Marshallers.Create(m => Google.Protobuf.MessageExtensions.ToByteArray(m), ListAlertsRequest.Parser.ParseFrom),
            Marshallers.Create(m => Google.Protobuf.MessageExtensions.ToByteArray(m), ListAlertsResponse.Parser.ParseFrom));
        var act = async () => await host.Channel.CreateCallInvoker().AsyncUnaryCall(method, null, GrpcCalls.Within(HangGuard), new ListAlertsRequest());
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Unimplemented);
    }

    [Fact]
    public async Task Idle_streams_do_not_hold_up_unary_calls_on_the_same_channel()
    {
        // Open alert streams and an idle client stream share the connection with a burst of unary calls.
        var watches = Enumerable.Range(0, 20).Select(_ => new MonitoringClient(host.Channel).WatchAlerts(new WatchAlertsRequest(), GrpcCalls.Within(HangGuard))).ToArray();
        using var ingest = new IngestionClient(host.Channel).Ingest(GrpcCalls.Within(HangGuard));
        try
        {
            var calls = Enumerable.Range(0, 200).Select(_ => new MonitoringClient(host.Channel).ListAlertsAsync(new ListAlertsRequest(), GrpcCalls.Within(TimeSpan.FromSeconds(20))).ResponseAsync);
            var results = await Task.WhenAll(calls);
            results.Should().HaveCount(200);
        }
        finally
        {
            foreach (var watch in watches) watch.Dispose();
        }
    }

    [Fact]
    public async Task Requests_without_a_deadline_still_end_when_the_client_goes_away()
    {
        var before = Feed.Watchers;
        using (var channel = GrpcChannel.ForAddress(host.Channel.Target.StartsWith("http") ? host.Channel.Target : "http://" + host.Channel.Target))
        {
            var call = new MonitoringClient(channel).WatchAlerts(new WatchAlertsRequest());
            await Eventually.WaitUntilAsync(() => Feed.Watchers == before + 1, "the stream is open", HangGuard);
        }
        // Disposing the channel closes the connection: the server sees the stream reset.
        await Eventually.WaitUntilAsync(() => Feed.Watchers == before, "the handler ends when its connection goes", HangGuard);
    }

}
