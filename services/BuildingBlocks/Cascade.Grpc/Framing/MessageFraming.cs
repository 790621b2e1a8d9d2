using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Pipelines;
using Google.Protobuf;

namespace Cascade.Grpc.Framing;

/// <summary>Reads and writes length-prefixed gRPC messages (1 byte compressed flag + 4 bytes big-endian length + payload).</summary>
internal static class MessageFraming
{
    /// <summary>
    /// Reads the next message, or returns null when the stream ended cleanly between messages.
    /// </summary>
    /// <param name="reader">The body.</param>
    /// <param name="parser">Parses the payload.</param>
    /// <param name="maxMessageSize">Largest accepted payload (after decompression); larger → RESOURCE_EXHAUSTED.</param>
    /// <param name="encoding">The peer's <c>grpc-encoding</c> (null or identity → compressed frames are an error).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public static async ValueTask<T?> ReadMessageAsync<T>(PipeReader reader, MessageParser<T> parser, int maxMessageSize, string? encoding, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (TryParseFrame(ref buffer, maxMessageSize, out var compressed, out var payload))
            {
                try
                {
                    return compressed
                        ? ParseCompressed(payload, parser, maxMessageSize, encoding)
                        : ParsePayload(parser, payload);
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start);
                }
            }
            if (result.IsCompleted)
            {
                if (buffer.Length == 0)
                {
                    reader.AdvanceTo(buffer.End);
                    return null;
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                throw new RpcException(StatusCode.Internal, $"The stream ended inside a message ({buffer.Length} bytes of an incomplete frame).");
            }
            if (result.IsCanceled)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Tries to take one whole frame from the buffer; on success the buffer is advanced past it.</summary>
    internal static bool TryParseFrame(ref ReadOnlySequence<byte> buffer, int maxMessageSize, out bool compressed, out ReadOnlySequence<byte> payload)
    {
        compressed = false;
        payload = default;
        if (buffer.Length < GrpcProtocol.FrameHeaderLength)
        {
            return false;
        }
        Span<byte> header = stackalloc byte[GrpcProtocol.FrameHeaderLength];
        buffer.Slice(0, GrpcProtocol.FrameHeaderLength).CopyTo(header);
        var flag = header[0];
        if (flag > 1)
        {
            throw new RpcException(StatusCode.Internal, $"Invalid compressed flag {flag} in a message frame.");
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)maxMessageSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"Received message larger than max ({length} vs. {maxMessageSize}).");
        }
        if (buffer.Length < GrpcProtocol.FrameHeaderLength + length)
        {
            return false;
        }
        compressed = flag == 1;
        payload = buffer.Slice(GrpcProtocol.FrameHeaderLength, length);
        buffer = buffer.Slice(payload.End);
        return true;
    }

    private static T ParsePayload<T>(MessageParser<T> parser, ReadOnlySequence<byte> payload) where T : class, IMessage<T>
    {
        try
        {
            return parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new RpcException(StatusCode.Internal, $"Failed to deserialize the message: {ex.Message}");
        }
    }

    private static T ParseCompressed<T>(ReadOnlySequence<byte> payload, MessageParser<T> parser, int maxMessageSize, string? encoding) where T : class, IMessage<T>
    {
        if (string.IsNullOrEmpty(encoding) || encoding == "identity")
        {
            throw new RpcException(StatusCode.Internal, "A message is flagged compressed, but no grpc-encoding was given.");
        }
        if (!string.Equals(encoding, "gzip", StringComparison.OrdinalIgnoreCase))
        {
            throw new RpcException(StatusCode.Unimplemented, $"Unsupported grpc-encoding '{encoding}'; supported: {GrpcProtocol.SupportedEncodings}.");
        }
        using var compressedStream = new MemoryStream(payload.ToArray(), writable: false);
        using var gzip = new GZipStream(compressedStream, CompressionMode.Decompress);
        using var decompressed = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = gzip.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (decompressed.Length + read > maxMessageSize)
                {
                    throw new RpcException(StatusCode.ResourceExhausted, $"Decompressed message larger than max ({maxMessageSize} bytes).");
                }
                decompressed.Write(chunk, 0, read);
            }
        }
        catch (InvalidDataException ex)
        {
            throw new RpcException(StatusCode.Internal, $"Failed to decompress the gzip message: {ex.Message}");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return ParsePayload(parser, new ReadOnlySequence<byte>(decompressed.GetBuffer(), 0, (int)decompressed.Length));
    }

    /// <summary>Writes one uncompressed frame into the writer, serializing straight into its buffer (no intermediate copy).</summary>
    public static void WriteMessage(PipeWriter writer, IMessage message, int maxMessageSize)
    {
        var size = message.CalculateSize();
        if (size > maxMessageSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"Sending message larger than max ({size} vs. {maxMessageSize}).");
        }
        var span = writer.GetSpan(GrpcProtocol.FrameHeaderLength + size);
        span[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)size);
        message.WriteTo(span.Slice(GrpcProtocol.FrameHeaderLength, size));
        writer.Advance(GrpcProtocol.FrameHeaderLength + size);
    }

    /// <summary>Serializes one uncompressed frame into a new array (client requests).</summary>
    public static byte[] ToFrame(IMessage message, int maxMessageSize)
    {
        var size = CheckedSize(message, maxMessageSize);
        var frame = new byte[GrpcProtocol.FrameHeaderLength + size];
        WriteFrame(message, size, frame);
        return frame;
    }

    /// <summary>Serializes one uncompressed frame into an array rented from the shared pool; return it once written.</summary>
    public static (byte[] Buffer, int Length) RentFrame(IMessage message, int maxMessageSize)
    {
        var size = CheckedSize(message, maxMessageSize);
        var length = GrpcProtocol.FrameHeaderLength + size;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        WriteFrame(message, size, buffer);
        return (buffer, length);
    }

    private static int CheckedSize(IMessage message, int maxMessageSize)
    {
        var size = message.CalculateSize();
        if (size > maxMessageSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"Sending message larger than max ({size} vs. {maxMessageSize}).");
        }
        return size;
    }

    private static void WriteFrame(IMessage message, int size, Span<byte> destination)
    {
        destination[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)size);
        message.WriteTo(destination.Slice(GrpcProtocol.FrameHeaderLength, size));
    }
}
