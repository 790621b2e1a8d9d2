using System.Net;
using System.Net.Sockets;
using Cascade.Grpc.Client;

namespace Cascade.Grpc.Tests;

/// <summary>How the client turns transport failures and HTTP answers into gRPC statuses.</summary>
public class StatusMappingTests
{
    [Theory]
    [InlineData(0xb, StatusCode.Unavailable)]  // ENHANCE_YOUR_CALM: Kestrel's reset-flood protection; retryable
    [InlineData(0x7, StatusCode.Unavailable)]  // REFUSED_STREAM: never processed; retryable
    [InlineData(0x8, StatusCode.Cancelled)]    // CANCEL
    [InlineData(0x2, StatusCode.Internal)]     // INTERNAL_ERROR
    [InlineData(0x1, StatusCode.Internal)]     // PROTOCOL_ERROR
    public void Http2_stream_errors_map_to_the_grpc_status(long errorCode, StatusCode expected)
    {
        var exception = new HttpRequestException("request failed", new HttpProtocolException(errorCode, "stream reset", null));
        StatusMapping.FromException(exception).StatusCode.Should().Be(expected);
    }

    [Fact]
    public void A_refused_connection_is_unavailable() =>
        StatusMapping.FromException(new HttpRequestException("connect failed", new SocketException((int)SocketError.ConnectionRefused)))
            .StatusCode.Should().Be(StatusCode.Unavailable);

    [Fact]
    public void A_streaming_body_asked_for_twice_is_unavailable() =>
        StatusMapping.FromException(new HttpRequestException("retry", new StreamingRequestRetryException()))
            .StatusCode.Should().Be(StatusCode.Unavailable);

    [Fact]
    public void An_unexpected_client_exception_is_internal_and_names_it() =>
        StatusMapping.FromException(new FormatException("odd")).Should().Match<Status>(s => s.StatusCode == StatusCode.Internal && s.Detail.Contains("FormatException"));

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, StatusCode.Internal)]
    [InlineData(HttpStatusCode.Unauthorized, StatusCode.Unauthenticated)]
    [InlineData(HttpStatusCode.Forbidden, StatusCode.PermissionDenied)]
    [InlineData(HttpStatusCode.NotFound, StatusCode.Unimplemented)]
    [InlineData(HttpStatusCode.TooManyRequests, StatusCode.Unavailable)]
    [InlineData(HttpStatusCode.BadGateway, StatusCode.Unavailable)]
    [InlineData(HttpStatusCode.ServiceUnavailable, StatusCode.Unavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout, StatusCode.Unavailable)]
    [InlineData(HttpStatusCode.UnsupportedMediaType, StatusCode.Unknown)]
    public void Http_statuses_without_a_grpc_status_follow_the_grpc_mapping(HttpStatusCode http, StatusCode expected) =>
        StatusMapping.FromHttpStatus(http).Should().Be(expected);
}
