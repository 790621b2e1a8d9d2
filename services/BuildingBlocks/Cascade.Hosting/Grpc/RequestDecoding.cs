using System.Reflection;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Grpc.Net.Compression;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cascade.Hosting.Grpc;

/// <summary>
/// Request bytes that do not decode fail a call as the gRPC specification says, with INTERNAL and what was wrong:
/// Grpc.AspNetCore reports a request message its parser refuses, and a compressed message that does not decompress,
/// as UNKNOWN ("Exception was thrown by handler.") and logs an error, as if a handler had failed. Decompression also
/// stops at the receive limit: Grpc.AspNetCore inflates a whole message before it checks its size, so a 4 MiB gzip
/// bomb would take gigabytes. (Both found by the fuzzing campaign, docs/security.md.)
/// </summary>
internal static class RequestDecoding
{
    /// <summary>Binds every generated service with request marshallers that turn a parse failure into INTERNAL.</summary>
    public static void Add(IServiceCollection services)
    {
        // Replaces Grpc.AspNetCore's own binder (BinderServiceMethodProvider<>), which this one mirrors; JSON
        // transcoding and services bound by definition keep theirs.
        if (services.Any(d => d.ImplementationType == typeof(DecodingServiceMethodProvider<>))) return;
        var binder = services.FirstOrDefault(d => d.ServiceType == typeof(IServiceMethodProvider<>) && d.ImplementationType?.Name == "BinderServiceMethodProvider`1")
            ?? throw new InvalidOperationException("Grpc.AspNetCore's service binder was not found: call AddGrpc first.");
        services.Remove(binder);
        services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IServiceMethodProvider<>), typeof(DecodingServiceMethodProvider<>)));
    }

    /// <summary>The compression providers, each checked (corrupt data: INTERNAL) and bounded to <paramref name="maxMessageSize"/> once decompressed.</summary>
    public static List<ICompressionProvider> Checked(IEnumerable<ICompressionProvider> providers, int maxMessageSize) =>
        providers.Select(p => p is CheckedCompressionProvider ? p : new CheckedCompressionProvider(p, maxMessageSize)).ToList();

    internal static T Deserialize<T>(Marshaller<T> marshaller, DeserializationContext context)
    {
        try
        {
            return marshaller.ContextualDeserializer(context);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new RpcException(new Status(StatusCode.Internal, $"The request message does not decode as {typeof(T).Name}: {ex.Message}"));
        }
    }
}

/// <summary>Grpc.AspNetCore's binding of a generated service (its <c>BindService</c>), with decoding request marshallers.</summary>
internal sealed class DecodingServiceMethodProvider<TService> : IServiceMethodProvider<TService> where TService : class
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        for (var type = typeof(TService); type is not null; type = type.BaseType)
        {
            if (type.GetCustomAttribute<BindServiceMethodAttribute>() is not { } bind) continue;
            var method = bind.BindType.GetMethod(bind.BindMethodName, BindingFlags.Public | BindingFlags.Static, null, [typeof(ServiceBinderBase), type], null)
                ?? throw new InvalidOperationException($"{bind.BindType}.{bind.BindMethodName} not found for {typeof(TService)}.");
            // The generated base class, whose methods the handlers override: BindService's second parameter.
            method.Invoke(null, [new Binder(context, method.GetParameters()[1].ParameterType), null]);
            return;
        }
    }

    private sealed class Binder(ServiceMethodProviderContext<TService> context, Type declaringType) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
            context.AddUnaryMethod(Decoding(method), Metadata<UnaryServerMethod<TService, TRequest, TResponse>>(method.Name, [typeof(TRequest), typeof(ServerCallContext)], out var invoker), invoker);

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddServerStreamingMethod(Decoding(method), Metadata<ServerStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, [typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)], out var invoker), invoker);

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var metadata = Metadata<ClientStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, [typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext)], out var invoker);
            context.AddClientStreamingMethod(Decoding(method), metadata, (service, requests, call) => invoker(service, new FramingCheckedReader<TRequest>(requests), call));
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var metadata = Metadata<DuplexStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, [typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)], out var invoker);
            context.AddDuplexStreamingMethod(Decoding(method), metadata, (service, requests, responses, call) => invoker(service, new FramingCheckedReader<TRequest>(requests), responses, call));
        }

        private static Method<TRequest, TResponse> Decoding<TRequest, TResponse>(Method<TRequest, TResponse> method)
        {
            var request = method.RequestMarshaller;
            var decoding = new Marshaller<TRequest>(request.ContextualSerializer, c => RequestDecoding.Deserialize(request, c));
            return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, decoding, method.ResponseMarshaller);
        }

        /// <summary>The handler (the override of the generated base method) as an open delegate, and the endpoint metadata Grpc.AspNetCore gives it.</summary>
        private List<object> Metadata<TDelegate>(string name, Type[] parameters, out TDelegate invoker) where TDelegate : Delegate
        {
            var handler = Handler(name, parameters) ?? throw new InvalidOperationException($"Could not find '{name}' on {typeof(TService)}.");
            invoker = (TDelegate)Delegate.CreateDelegate(typeof(TDelegate), handler);
            var metadata = new List<object>();
            // Type attributes first, method attributes last (higher priority), as Grpc.AspNetCore orders them.
            metadata.AddRange(typeof(TService).GetCustomAttributes(inherit: true));
            metadata.AddRange(handler.GetCustomAttributes(inherit: true));
            metadata.Add(new HttpMethodMetadata(["POST"], acceptCorsPreflight: true));
            return metadata;
        }

        private MethodInfo? Handler(string name, Type[] parameters)
        {
            for (var type = typeof(TService); type is not null; type = type.BaseType)
            {
                var method = type.GetMethod(name, BindingFlags.Public | BindingFlags.Instance, null, parameters, null);
                if (method is null) return null;
                if (method.IsVirtual && method.GetBaseDefinition().DeclaringType == declaringType) return method;
            }
            return null;
        }
    }
}

/// <summary>A compression provider whose decompression fails with INTERNAL on corrupt data and with RESOURCE_EXHAUSTED past the receive limit.</summary>
internal sealed class CheckedCompressionProvider(ICompressionProvider inner, int maxMessageSize) : ICompressionProvider
{
    public string EncodingName => inner.EncodingName;

    public Stream CreateCompressionStream(Stream stream, System.IO.Compression.CompressionLevel? compressionLevel) => inner.CreateCompressionStream(stream, compressionLevel);

    public Stream CreateDecompressionStream(Stream stream) => new Bounded(inner.CreateDecompressionStream(stream), EncodingName, maxMessageSize);

    private sealed class Bounded(Stream inner, string encoding, int limit) : Stream
    {
        private long _read;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n;
            try
            {
                n = inner.Read(buffer);
            }
            catch (InvalidDataException ex)
            {
                throw new RpcException(new Status(StatusCode.Internal, $"The request message does not decompress as {encoding}: {ex.Message}"));
            }
            _read += n;
            // The same status Grpc.AspNetCore gives a message over the limit, before inflating the rest of it.
            return _read > limit ? throw new RpcException(new Status(StatusCode.ResourceExhausted, "Received message exceeds the maximum configured message size.")) : n;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
