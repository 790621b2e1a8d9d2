using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Cascade.Hosting.Security;

/// <summary>
/// Access control for REST routes that are not JSON-transcoded gRPC methods (the Open Inference Protocol's REST
/// binding, <c>/metrics</c>): each route names the gRPC method it stands for, so the one table in
/// <see cref="AccessRules"/> decides both. Refusals answer 401, 403 or 429 (with <c>Retry-After</c>) and a JSON
/// <c>{"error": …}</c> body, as the protocol's REST binding shapes its errors.
/// </summary>
public static class RestAccess
{
    /// <summary>Authorizes the route as <paramref name="method"/>; the model it acts on is the route value <paramref name="modelRouteValue"/> (if any).</summary>
    public static TBuilder RequireCascadeAccess<TBuilder>(this TBuilder builder, string method, string? modelRouteValue = null)
        where TBuilder : IEndpointConventionBuilder
    {
        var rule = AccessRules.For(method);
        // Wraps the endpoint's request delegate (rather than an endpoint filter) so plain RequestDelegate routes and
        // the Prometheus exporter's route are covered too.
        builder.Add(endpoint =>
        {
            var inner = endpoint.RequestDelegate!;
            endpoint.RequestDelegate = async http =>
            {
                var access = http.RequestServices.GetRequiredService<AccessControl>();
                IReadOnlyList<string> targets = modelRouteValue is not null && http.GetRouteValue(modelRouteValue) is string model ? [model] : [];
                var decision = access.Decide(http, http.User, method, rule, targets);
                if (decision.IsAllowed && rule.Kind != CallKind.Open) decision = access.Limit(http.User, method);
                if (decision.IsAllowed)
                {
                    await inner(http);
                    return;
                }
                await access.AuditAsync(http.User, method, rule, targets, decision.Outcome, decision.Message);
                if (decision.Status == global::Grpc.Core.StatusCode.ResourceExhausted && decision.Message.Split("retry after ") is [_, var after])
                {
                    http.Response.Headers.RetryAfter = after.Split(' ')[0];
                }
                if (decision.Status == global::Grpc.Core.StatusCode.Unauthenticated)
                {
                    http.Response.Headers.WWWAuthenticate = "Bearer";
                }
                http.Response.StatusCode = decision.HttpStatus;
                await http.Response.WriteAsJsonAsync(new { error = decision.Message });
            };
        });
        return builder;
    }
}
