using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Pipelines;
using Cascade.Grpc.Framing;
using Cascade.Grpc.Tests.Protos;
using Google.Protobuf;

namespace Cascade.Grpc.Tests;

public class FramingTests
{
    [Fact]
    public async Task A_frame_split_across_many_reads_is_reassembled()
    {
        var frame = MessageFraming.ToFrame(new TestRequest { Text = "hello", Payload = ByteString.CopyFrom(new byte[1000]) }, 1 << 20);
        var pipe = new Pipe();
        var reading = MessageFraming.ReadMessageAsync(pipe.Reader, TestRequest.Parser, 1 << 20, null, CancellationToken.None).AsTask();
        foreach (var chunk in frame.Chunk(7))
        {
            await pipe.Writer.WriteAsync(chunk);
        }
        await pipe.Writer.CompleteAsync();
        var message = await reading;
        message!.Text.Should().Be("hello");
        message.Payload.Length.Should().Be(1000);
    }

    [Fact]
    public async Task Zero_length_messages_are_valid_and_the_clean_end_returns_null()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(MessageFraming.ToFrame(new TestRequest(), 100));
        await pipe.Writer.WriteAsync(MessageFraming.ToFrame(new TestRequest(), 100));
        await pipe.Writer.CompleteAsync();
        (await MessageFraming.ReadMessageAsync(pipe.Reader, TestRequest.Parser, 100, null, default)).Should().NotBeNull();
        (await MessageFraming.ReadMessageAsync(pipe.Reader, TestRequest.Parser, 100, null, default)).Should().NotBeNull();
        (await MessageFraming.ReadMessageAsync(pipe.Reader, TestRequest.Parser, 100, null, default)).Should().BeNull();
    }

    [Fact]
    public void A_frame_header_announcing_more_than_the_limit_is_resource_exhausted_before_the_body_arrives()
    {
        var header = new byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), 5_000_000);
        var buffer = new ReadOnlySequence<byte>(header);
        var act = () => MessageFraming.TryParseFrame(ref buffer, 4 * 1024 * 1024, out _, out _);
        act.Should().Throw<RpcException>().Which.StatusCode.Should().Be(StatusCode.ResourceExhausted);
    }

    [Fact]
    public async Task A_stream_ending_inside_a_frame_is_internal()
    {
        var frame = MessageFraming.ToFrame(new TestRequest { Text = "truncated" }, 100);
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(frame.AsMemory(0, frame.Length - 2));
        await pipe.Writer.CompleteAsync();
        var act = async () => await MessageFraming.ReadMessageAsync(pipe.Reader, TestRequest.Parser, 100, null, default);
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Internal);
    }

    [Fact]
    public async Task A_gzip_compressed_frame_is_decompressed_when_the_encoding_is_gzip()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(GzipFrame(new TestRequest { Text = "zipped" }));
        await pipe.Writer.CompleteAsync();
        var message = await MessageFraming.ReadMessageAsync(pipe.Reader, TestRequest.Parser, 1000, "gzip", default);
        message!.Text.Should().Be("zipped");
    }

    [Fact]
    public async Task A_compressed_frame_without_an_encoding_is_internal()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(GzipFrame(new TestRequest { Text = "zipped" }));
        await pipe.Writer.CompleteAsync();
        var act = async () => await MessageFraming.ReadMessageAsync(pipe.Reader, TestRequest.Parser, 1000, null, default);
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Internal);
    }

    [Fact]
    public void WriteMessage_writes_the_header_and_the_exact_protobuf_bytes()
    {
        var message = new TestRequest { Text = "abc", Count = 3 };
        var pipe = new Pipe();
        MessageFraming.WriteMessage(pipe.Writer, message, 100);
        pipe.Writer.Complete();
        pipe.Reader.TryRead(out var result).Should().BeTrue();
        var bytes = result.Buffer.ToArray();
        bytes[0].Should().Be(0);
        BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(1)).Should().Be((uint)message.CalculateSize());
        bytes.AsSpan(5).ToArray().Should().Equal(message.ToByteArray());
    }

    [Fact]
    public void A_rented_frame_holds_the_same_bytes_as_a_new_one()
    {
        var message = new TestRequest { Text = "pooled", Payload = ByteString.CopyFrom(new byte[300]) };
        var (buffer, length) = MessageFraming.RentFrame(message, 1000);
        try
        {
            buffer.AsSpan(0, length).ToArray().Should().Equal(MessageFraming.ToFrame(message, 1000));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [Fact]
    public void A_frame_with_an_invalid_compressed_flag_is_internal()
    {
        var frame = MessageFraming.ToFrame(new TestRequest { Text = "x" }, 100);
        frame[0] = 7;
        var buffer = new ReadOnlySequence<byte>(frame);
        var act = () => MessageFraming.TryParseFrame(ref buffer, 100, out _, out _);
        act.Should().Throw<RpcException>().Which.StatusCode.Should().Be(StatusCode.Internal);
    }

    [Fact]
    public async Task A_gzip_message_that_inflates_past_the_limit_is_resource_exhausted()
    {
        // 1 MB of zeros compresses to about a kilobyte: the limit must apply to what it inflates to.
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(GzipFrame(new TestRequest { Payload = ByteString.CopyFrom(new byte[1024 * 1024]) }));
        await pipe.Writer.CompleteAsync();
        var act = async () => await MessageFraming.ReadMessageAsync(pipe.Reader, TestRequest.Parser, 64 * 1024, "gzip", default);
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.ResourceExhausted);
    }

    [Fact]
    public async Task Garbage_instead_of_protobuf_is_internal()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(new byte[] { 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF });
        await pipe.Writer.CompleteAsync();
        var act = async () => await MessageFraming.ReadMessageAsync(pipe.Reader, TestRequest.Parser, 100, null, default);
        (await act.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Internal);
    }

    internal static byte[] GzipFrame(IMessage message)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            message.WriteTo(gzip);
        }
        var body = compressed.ToArray();
        var frame = new byte[5 + body.Length];
        frame[0] = 1;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)body.Length);
        body.CopyTo(frame, 5);
        return frame;
    }
}
