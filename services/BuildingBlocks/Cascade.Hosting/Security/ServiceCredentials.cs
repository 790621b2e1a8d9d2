using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.DependencyInjection;

namespace Cascade.Hosting.Security;

/// <summary>
/// The service identity on outgoing calls: a gRPC client registered with <c>AddGrpcClient</c> sends this process's
/// <see cref="AuthOptions.ServiceKey"/> as <c>authorization: Bearer …</c> on every call (nothing when none is set).
/// An interceptor rather than call credentials, because those are refused on cleartext channels and services may
/// talk over h2c inside a trusted network.
/// </summary>
public static class ServiceCredentials
{
    public static IHttpClientBuilder AddCascadeServiceCredentials(this IHttpClientBuilder client) =>
        client.AddInterceptor(provider => new ServiceKeyInterceptor(provider.GetRequiredService<AuthOptions>().ReadServiceKey()));

    /// <summary>
    /// <paramref name="inner"/> with <c>authorization: Bearer <paramref name="key"/></c> on every request (itself when
    /// there is no key): for channels built by hand, such as the command line's.
    /// </summary>
    public static HttpMessageHandler WithBearer(HttpMessageHandler inner, string? key) =>
        string.IsNullOrWhiteSpace(key) ? inner : new BearerHandler("Bearer " + key.Trim()) { InnerHandler = inner };

    private sealed class BearerHandler(string header) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.TryAddWithoutValidation("authorization", header);
            return base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class ServiceKeyInterceptor(string? key) : Interceptor
    {
        private readonly string? header = key is null ? null : "Bearer " + key;

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
            continuation(request, With(context));

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
            continuation(request, With(context));

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation) =>
            continuation(With(context));

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation) =>
            continuation(With(context));

        private ClientInterceptorContext<TRequest, TResponse> With<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
            where TRequest : class where TResponse : class
        {
            if (header is null) return context;
            var headers = context.Options.Headers ?? new Metadata();
            headers.Add("authorization", header);
            return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithHeaders(headers));
        }
    }
}
