using Cascade.Grpc.Tests.Infrastructure;
using Cascade.Grpc.Tests.Protos;

namespace Cascade.Grpc.Tests;

/// <summary>What the server puts on the wire, checked with hand-made HTTP/2 requests.</summary>
public class WireProtocolTests(GrpcTestServer server) : IClassFixture<GrpcTestServer>
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_successful_unary_call_sends_headers_one_message_and_status_trailers()
    {
        using var http = RawGrpc.CreateInvoker();
        using var request = RawGrpc.Request(server.Address, TestMethods.Unary.FullName, RawGrpc.Frame(new TestRequest { Text = "wire" }));
        using var response = await http.SendAsync(request, CancellationToken.None).WaitAsync(HangGuard);
        var body = await response.Content.ReadAsByteArrayAsync();

        response.Content.Headers.ContentType!.MediaType.Should().Be("application/grpc");
        response.Headers.Contains("grpc-status").Should().BeFalse("the status belongs in the trailers once a message was sent");
        response.TrailingHeaders.GetValues("grpc-status").Should().Equal("0");
        body[0].Should().Be(0, "responses are not compressed");
        TestResponse.Parser.ParseFrom(body.AsSpan(5)).Text.Should().Be("wire");
    }

    [Fact]
    public async Task An_error_before_any_message_is_a_trailers_only_response_with_its_metadata()
    {
        using var http = RawGrpc.CreateInvoker();
        using var request = RawGrpc.Request(server.Address, TestMethods.Unary.FullName, RawGrpc.Frame(new TestRequest { Text = "x", FailCode = (int)StatusCode.NotFound }));
        using var response = await http.SendAsync(request, CancellationToken.None).WaitAsync(HangGuard);
        var body = await response.Content.ReadAsByteArrayAsync();

        body.Should().BeEmpty();
        response.Headers.GetValues("grpc-status").Should().Equal("5");
        response.Headers.GetValues("grpc-message").Should().Equal("requested failure: x");
        response.Headers.GetValues("failure-reason").Should().Equal("requested");
        response.TrailingHeaders.Should().BeEmpty();
    }

    [Fact]
    public async Task The_proto_content_type_variant_is_accepted()
    {
        using var http = RawGrpc.CreateInvoker();
        using var request = RawGrpc.Request(server.Address, TestMethods.Unary.FullName, RawGrpc.Frame(new TestRequest { Text = "p" }), "application/grpc+proto");
        using var response = await http.SendAsync(request, CancellationToken.None).WaitAsync(HangGuard);
        await response.Content.ReadAsByteArrayAsync();
        RawGrpc.StatusOf(response).Should().Be("0");
    }

    [Fact]
    public async Task A_wrong_content_type_on_a_method_path_is_http_415()
    {
        using var http = RawGrpc.CreateInvoker();
        using var request = RawGrpc.Request(server.Address, TestMethods.Unary.FullName, "{}"u8.ToArray(), "application/json");
        using var response = await http.SendAsync(request, CancellationToken.None).WaitAsync(HangGuard);
        ((int)response.StatusCode).Should().Be(415);
        response.Headers.GetValues("grpc-status").Should().Equal("13");
        response.Headers.GetValues("grpc-message").Single().Should().Contain("application/json");
    }

    [Fact]
    public async Task An_unknown_method_is_a_trailers_only_unimplemented()
    {
        using var http = RawGrpc.CreateInvoker();
        using var request = RawGrpc.Request(server.Address, "/no.such.Service/Nothing", RawGrpc.Frame(new TestRequest()));
        using var response = await http.SendAsync(request, CancellationToken.None).WaitAsync(HangGuard);
        ((int)response.StatusCode).Should().Be(200);
        response.Headers.GetValues("grpc-status").Should().Equal("12");
        response.Headers.GetValues("grpc-message").Single().Should().Contain("/no.such.Service/Nothing");
    }

    [Fact]
    public async Task A_gzip_compressed_request_is_accepted()
    {
        using var http = RawGrpc.CreateInvoker();
        using var request = RawGrpc.Request(server.Address, TestMethods.Unary.FullName, FramingTests.GzipFrame(new TestRequest { Text = "compressed" }));
        request.Headers.TryAddWithoutValidation("grpc-encoding", "gzip");
        using var response = await http.SendAsync(request, CancellationToken.None).WaitAsync(HangGuard);
        var body = await response.Content.ReadAsByteArrayAsync();
        response.TrailingHeaders.GetValues("grpc-status").Single().Should().Be("0");
        TestResponse.Parser.ParseFrom(body.AsSpan(5)).Text.Should().Be("compressed");
    }

    [Fact]
    public async Task An_unknown_request_encoding_is_unimplemented_and_names_the_supported_ones()
    {
        using var http = RawGrpc.CreateInvoker();
        using var request = RawGrpc.Request(server.Address, TestMethods.Unary.FullName, new byte[5]);
        request.Headers.TryAddWithoutValidation("grpc-encoding", "snappy");
        using var response = await http.SendAsync(request, CancellationToken.None).WaitAsync(HangGuard);
        response.Headers.GetValues("grpc-status").Single().Should().Be("12");
        response.Headers.GetValues("grpc-accept-encoding").Single().Should().Contain("gzip");
    }

    [Fact]
    public async Task A_unary_request_with_two_messages_is_refused()
    {
        var frame = RawGrpc.Frame(new TestRequest { Text = "one" });
        using var http = RawGrpc.CreateInvoker();
        using var request = RawGrpc.Request(server.Address, TestMethods.Unary.FullName, [.. frame, .. frame]);
        using var response = await http.SendAsync(request, CancellationToken.None).WaitAsync(HangGuard);
        await response.Content.ReadAsByteArrayAsync();
        RawGrpc.StatusOf(response).Should().Be("13");
    }

    [Fact]
    public async Task A_request_body_cut_inside_a_frame_is_refused_as_internal()
    {
        var frame = RawGrpc.Frame(new TestRequest { Text = "truncated" });
        using var http = RawGrpc.CreateInvoker();
        using var request = RawGrpc.Request(server.Address, TestMethods.Unary.FullName, frame[..^3]);
        using var response = await http.SendAsync(request, CancellationToken.None).WaitAsync(HangGuard);
        await response.Content.ReadAsByteArrayAsync();
        RawGrpc.StatusOf(response).Should().Be("13");
        server.LoggedErrors.Errors.Should().BeEmpty("a malformed request is the client's fault, not a handler failure");
    }
}
