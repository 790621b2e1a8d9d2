using Cascade.Contracts.Registry.V1;
using Cascade.Registry.Domain;
using Cascade.Registry.Storage;
using Grpc.Core;

namespace Cascade.Registry.Grpc;

/// <summary>
/// What a <see cref="Contracts.Registry.V1.Registry.RegistryClient"/> calls when the registry runs in the same process
/// as its caller (the all-in-one host): the registry's rules directly, no network hop and no port to know (the host's
/// may be ephemeral). Only the calls other modules make of the registry are answered: <c>SetTrafficPolicy</c>, which
/// Serving forwards, and <c>ListModels</c> / <c>ListModelVersions</c>, which Features' offline retention reads the
/// kept versions' lineage with. Anything else is UNIMPLEMENTED, so a module that starts calling another method finds
/// out in its first test rather than in production.
/// </summary>
/// <remarks>
/// Without a store (<paramref name="store"/> null) only <c>SetTrafficPolicy</c> is answered.
/// The caller is trusted as a service in the same process is: the actor it names (the principal Serving authenticated)
/// is recorded as given.
/// </remarks>
public sealed class InProcessRegistryInvoker(ModelRegistry registry, IRegistryStore? store = null) : CallInvoker
{
    private static readonly string SetTrafficPolicyMethod = $"/{Contracts.Registry.V1.Registry.Descriptor.FullName}/SetTrafficPolicy";
    private static readonly string ListModelsMethod = $"/{Contracts.Registry.V1.Registry.Descriptor.FullName}/ListModels";
    private static readonly string ListModelVersionsMethod = $"/{Contracts.Registry.V1.Registry.Descriptor.FullName}/ListModelVersions";

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var response = Task.FromResult(BlockingUnaryCall(method, host, options, request));
        return new AsyncUnaryCall<TResponse>(response, Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        // The same answers as RegistryGrpcService's.
        if (store is not null && method.FullName == ListModelsMethod && request is ListModelsRequest)
        {
            return (TResponse)(object)new ListModelsResponse { Models = { store.ListModels() } };
        }
        if (store is not null && method.FullName == ListModelVersionsMethod && request is ListModelVersionsRequest list)
        {
            try
            {
                return (TResponse)(object)VersionPages.Read(store, list);
            }
            catch (ArgumentException ex) { throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message)); }
        }
        if (method.FullName != SetTrafficPolicyMethod || request is not SetTrafficPolicyRequest set)
        {
            throw Unimplemented(method.FullName);
        }
        try
        {
            var actor = string.IsNullOrWhiteSpace(set.Actor) ? Hosting.Security.CascadePrincipal.Anonymous : set.Actor;
            return (TResponse)(object)registry.SetTrafficPolicy(set.Model, set.CanaryPercent, set.Shadow, actor, set.Reason);
        }
        // The statuses the gRPC service answers with for the same errors.
        catch (KeyNotFoundException ex) { throw new RpcException(new Status(StatusCode.NotFound, ex.Message)); }
        catch (ArgumentException ex) { throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message)); }
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw Unimplemented(method.FullName);

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw Unimplemented(method.FullName);

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw Unimplemented(method.FullName);

    private static RpcException Unimplemented(string method) =>
        new(new Status(StatusCode.Unimplemented, $"{method} is not offered in-process; the registry answers SetTrafficPolicy, ListModels and ListModelVersions only to modules of its own host."));
}
