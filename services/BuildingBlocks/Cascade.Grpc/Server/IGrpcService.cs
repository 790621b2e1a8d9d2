namespace Cascade.Grpc.Server;

/// <summary>A gRPC service implementation: binds its handlers to method descriptors.</summary>
public interface IGrpcService
{
    /// <summary>Adds this service's methods to the binder.</summary>
    void Bind(GrpcServiceBinder binder);
}
