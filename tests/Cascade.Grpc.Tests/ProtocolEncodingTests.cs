using Cascade.Grpc.Framing;

namespace Cascade.Grpc.Tests;

public class ProtocolEncodingTests
{
    [Theory]
    [InlineData("1H", 3600_000)]
    [InlineData("2M", 120_000)]
    [InlineData("3S", 3000)]
    [InlineData("250m", 250)]
    [InlineData("1500u", 1.5)]
    [InlineData("2000000n", 2)]
    public void Timeout_header_units_parse_to_the_right_duration(string header, double expectedMs)
    {
        GrpcTimeout.TryParse(header, out var timeout).Should().BeTrue();
        timeout.TotalMilliseconds.Should().BeApproximately(expectedMs, 0.0001);
    }

    [Theory]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("10x")]
    [InlineData("123456789S")]
    [InlineData("-1S")]
    public void Malformed_timeout_headers_are_rejected(string header) =>
        GrpcTimeout.TryParse(header, out _).Should().BeFalse();

    [Theory]
    [InlineData(0.001)]
    [InlineData(1)]
    [InlineData(1500)]
    [InlineData(86_400_000)]
    [InlineData(400_000_000_000)]
    public void Formatted_timeouts_round_trip_without_shortening(double milliseconds)
    {
        var timeout = TimeSpan.FromMilliseconds(milliseconds);
        var header = GrpcTimeout.Format(timeout);
        header.Length.Should().BeLessThanOrEqualTo(9);
        GrpcTimeout.TryParse(header, out var parsed).Should().BeTrue();
        parsed.Should().BeGreaterThanOrEqualTo(timeout);
    }

    [Theory]
    [InlineData("plain message")]
    [InlineData("100% done")]
    [InlineData("line\nbreak")]
    [InlineData("unicode: 模型 ✓")]
    public void Status_messages_round_trip_through_percent_encoding(string message)
    {
        var encoded = StatusMessageEncoding.Encode(message);
        encoded.All(c => c >= 0x20 && c <= 0x7E).Should().BeTrue();
        StatusMessageEncoding.Decode(encoded).Should().Be(message);
    }

    [Fact]
    public void Malformed_percent_escapes_are_kept_as_they_are() =>
        StatusMessageEncoding.Decode("bad %zz escape %4").Should().Be("bad %zz escape %4");

    [Fact]
    public void Metadata_refuses_reserved_and_invalid_keys()
    {
        var metadata = new Metadata();
        ((Action)(() => metadata.Add("grpc-status", "0"))).Should().Throw<ArgumentException>();
        ((Action)(() => metadata.Add("bad key", "x"))).Should().Throw<ArgumentException>();
        ((Action)(() => metadata.Add("text-bin", "x"))).Should().Throw<ArgumentException>();
        ((Action)(() => metadata.Add("binary", new byte[] { 1 }))).Should().Throw<ArgumentException>();
        ((Action)(() => metadata.Add("value", "tab\tinside"))).Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData("connection")]
    [InlineData("Transfer-Encoding")]
    [InlineData("te")]
    [InlineData("content-type")]
    public void Metadata_refuses_headers_that_http2_or_grpc_reserve(string key) =>
        ((Action)(() => new Metadata().Add(key, "x"))).Should().Throw<ArgumentException>().WithMessage("*reserved*");

    [Fact]
    public void Metadata_keys_are_lower_cased_and_lookups_ignore_case()
    {
        var metadata = new Metadata().Add("X-Tenant", "acme");
        metadata.Single().Key.Should().Be("x-tenant");
        metadata.GetValue("X-TENANT").Should().Be("acme");
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 1 })]
    [InlineData(new byte[] { 1, 2 })]
    [InlineData(new byte[] { 0, 1, 2, 255 })]
    public void Binary_metadata_survives_the_wire_with_or_without_base64_padding(byte[] value)
    {
        var sent = new Metadata().Add("data-bin", value).Single();
        var wire = Metadata.ToWireValue(sent);
        wire.Should().NotEndWith("=", "gRPC senders omit the padding");

        var unpadded = new Metadata();
        unpadded.AddFromWire("data-bin", wire);
        unpadded.GetBytes("data-bin").Should().Equal(value);

        var padded = new Metadata();
        padded.AddFromWire("data-bin", Convert.ToBase64String(value));
        padded.GetBytes("data-bin").Should().Equal(value);
    }

    [Theory]
    [InlineData(StatusCode.OK, "0")]
    [InlineData(StatusCode.Unauthenticated, "16")]
    [InlineData((StatusCode)42, "42")]
    public void Status_codes_are_written_as_decimal_strings(StatusCode code, string expected) =>
        Cascade.Grpc.Server.GrpcStatusWriter.ToWire(code).Should().Be(expected);

    [Fact]
    public void There_are_the_seventeen_standard_status_codes() =>
        Enum.GetValues<StatusCode>().Select(c => (int)c).Should().Equal(Enumerable.Range(0, 17));

    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("application/grpc;charset=utf-8", true)]
    [InlineData("application/grpc-web", false)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void Grpc_content_types_are_recognised(string? contentType, bool expected) =>
        GrpcProtocol.IsGrpcContentType(contentType).Should().Be(expected);
}
