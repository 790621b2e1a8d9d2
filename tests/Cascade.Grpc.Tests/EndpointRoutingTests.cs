using Cascade.Grpc.Health;
using Cascade.Grpc.Tests.Infrastructure;
using Cascade.Grpc.Tests.Protos;
using Grpc.Health.V1;

namespace Cascade.Grpc.Tests;

/// <summary>The same layer wired through endpoint routing (<c>MapCascadeGrpc</c>) beside ordinary endpoints.</summary>
public class EndpointRoutingTests(RoutedGrpcTestServer server) : IClassFixture<RoutedGrpcTestServer>
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Bound_methods_of_every_kind_are_served()
    {
        (await server.Channel.UnaryAsync(TestMethods.Unary, new TestRequest { Text = "routed" })).Text.Should().Be("routed");
        (await server.Channel.UnaryAsync(HealthMethods.Check, new HealthCheckRequest())).Status.Should().Be(HealthCheckResponse.Types.ServingStatus.Serving);

        using var upload = server.Channel.ClientStreaming(TestMethods.ClientStream);
        await upload.RequestStream.WriteAsync(new TestRequest { Payload = Google.Protobuf.ByteString.CopyFrom(new byte[100]) });
        await upload.RequestStream.CompleteAsync();
        (await upload.ResponseAsync.WaitAsync(HangGuard)).ReceivedBytes.Should().Be(100);

        using var stream = server.Channel.ServerStreaming(TestMethods.ServerStream, new TestRequest { Text = "s", Count = 3 });
        var texts = new List<string>();
        await foreach (var message in stream.ReadAllAsync())
        {
            texts.Add(message.Text);
        }
        texts.Should().Equal("s0", "s1", "s2");
    }

    [Fact]
    public async Task An_unknown_grpc_method_is_unimplemented()
    {
        var act = async () => await server.Channel.UnaryAsync(TestMethods.Missing, new TestRequest());
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Unimplemented);
    }

    [Fact]
    public async Task A_wrong_content_type_on_a_method_path_is_http_415()
    {
        using var http = RawGrpc.CreateInvoker();
        using var request = RawGrpc.Request(server.Address, TestMethods.Unary.FullName, "{}"u8.ToArray(), "application/json");
        using var response = await http.SendAsync(request, CancellationToken.None).WaitAsync(HangGuard);
        ((int)response.StatusCode).Should().Be(415);
    }

    [Fact]
    public async Task Ordinary_endpoints_keep_working_and_unknown_non_grpc_paths_stay_404()
    {
        using var http = RawGrpc.CreateInvoker();
        using (var request = RawGrpc.Request(server.Address, "/api/echo", "{}"u8.ToArray(), "application/json"))
        using (var response = await http.SendAsync(request, CancellationToken.None).WaitAsync(HangGuard))
        {
            (await response.Content.ReadAsStringAsync()).Should().Be("plain");
        }
        using (var request = RawGrpc.Request(server.Address, "/api/missing", "{}"u8.ToArray(), "application/json"))
        using (var response = await http.SendAsync(request, CancellationToken.None).WaitAsync(HangGuard))
        {
            ((int)response.StatusCode).Should().Be(404);
        }
    }
}
