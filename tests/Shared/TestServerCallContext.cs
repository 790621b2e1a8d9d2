using Grpc.Core;

namespace Cascade.Tests.Shared;

/// <summary>A server call context for calling a handler or interceptor directly, with the token and deadline a test picks.</summary>
public sealed class TestServerCallContext(CancellationToken cancellationToken = default, DateTime? deadline = null) : ServerCallContext
{
    protected override string MethodCore => "/test.Test/Call";
    protected override string HostCore => "localhost";
    protected override string PeerCore => "ipv4:127.0.0.1:1";
    protected override DateTime DeadlineCore => deadline ?? DateTime.MaxValue;
    protected override Metadata RequestHeadersCore => [];
    protected override CancellationToken CancellationTokenCore => cancellationToken;
    protected override Metadata ResponseTrailersCore => [];
    protected override Status StatusCore { get; set; }
    protected override WriteOptions? WriteOptionsCore { get; set; }
    protected override AuthContext AuthContextCore => new(null, []);
    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();
    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}
