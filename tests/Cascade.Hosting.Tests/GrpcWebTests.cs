using MonitoringClient = Cascade.Contracts.Monitoring.V1.Monitoring.MonitoringClient;
using IngestionClient = Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient;
using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Cascade.Contracts;
using Cascade.Contracts.Monitoring.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;

namespace Cascade.Hosting.Tests;

/// <summary>gRPC-Web on the HTTP/1.1 port, as browsers (the ops console) speak it.</summary>
public class GrpcWebTests(HostFixture host) : IClassFixture<HostFixture>
{
    [Fact]
    public async Task A_raw_grpc_web_health_check_on_the_http_port_answers_serving_with_status_trailers()
    {
        var message = new HealthCheckRequest().ToByteArray();
        var frame = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame, 5);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/grpc.health.v1.Health/Check") { Content = new ByteArrayContent(frame), Version = HttpVersion.Version11 };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc-web+proto");
        request.Headers.Add("x-grpc-web", "1");

        using var response = await host.Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().StartWith("application/grpc-web");
        var body = await response.Content.ReadAsByteArrayAsync();
        body[0].Should().Be(0, "the first frame is the message");
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1));
        HealthCheckResponse.Parser.ParseFrom(body, 5, length).Status.Should().Be(HealthCheckResponse.Types.ServingStatus.Serving);
        var trailer = body.AsSpan(5 + length);
        trailer[0].Should().Be(0x80, "the last frame carries the trailers");
        System.Text.Encoding.ASCII.GetString(trailer[5..]).Should().Contain("grpc-status: 0");
    }

    [Fact]
    public async Task Grpc_net_client_over_grpc_web_reaches_unary_and_server_streaming_methods()
    {
        using var channel = GrpcChannel.ForAddress(host.HttpAddress, new GrpcChannelOptions
        {
            HttpHandler = new GrpcWebHandler(GrpcWebMode.GrpcWeb, new HttpClientHandler()),
            HttpVersion = HttpVersion.Version11,
        });
        var client = new MonitoringClient(channel);
        (await client.ListAlertsAsync(new ListAlertsRequest(), GrpcCalls.Within(TimeSpan.FromSeconds(30)))).Alerts.Should().BeEmpty();

        // A server stream over gRPC-Web: it stays open until its deadline, then ends with DEADLINE_EXCEEDED.
        using var watch = client.WatchAlerts(new WatchAlertsRequest(), GrpcCalls.Within(TimeSpan.FromMilliseconds(500)));
        var read = async () => await watch.ResponseStream.MoveNext(default);
        (await read.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.DeadlineExceeded);
    }

    [Fact]
    public async Task Errors_reach_grpc_web_clients_with_their_code_and_message()
    {
        using var channel = GrpcChannel.ForAddress(host.HttpAddress, new GrpcChannelOptions
        {
            HttpHandler = new GrpcWebHandler(GrpcWebMode.GrpcWebText, new HttpClientHandler()),
            HttpVersion = HttpVersion.Version11,
        });
        var act = async () => await new MonitoringClient(channel).GetModelHealthAsync(new GetModelHealthRequest(), GrpcCalls.Within(TimeSpan.FromSeconds(30)));
        var error = (await act.Should().ThrowAsync<RpcException>()).Which;
        error.StatusCode.Should().Be(StatusCode.InvalidArgument);
        error.Status.Detail.Should().Be("model is required.");
    }
}
