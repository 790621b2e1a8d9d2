using System.Diagnostics.Metrics;
using System.Security.Claims;
using Grpc.Core;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace Cascade.Hosting.Security;

/// <summary>
/// Decides every call the same way, whether it arrives as gRPC, gRPC-Web, JSON-transcoded REST or the Open Inference
/// Protocol's REST routes: open calls pass; with authentication off every call passes as <c>anonymous</c>; otherwise
/// no or bad credentials are UNAUTHENTICATED, a role too weak or a model outside the key's scope PERMISSION_DENIED.
/// It also applies per-principal rate limits and writes the audit log (mutations always, data writes when refused).
/// </summary>
public sealed class AccessControl(AuthOptions options, IAuditTrail audit, PrincipalRateLimiter limits)
{
    private static readonly Meter Meter = new("Cascade.Security");
    private static readonly Counter<long> Refused = Meter.CreateCounter<long>("cascade.auth.refused", "{call}", "Calls refused by authentication, authorization or a rate limit, by method and reason.");

    /// <summary>Whether credentials are required.</summary>
    public bool Enforced => options.Enabled;

    /// <summary>Decides whether <paramref name="user"/> may call <paramref name="method"/> on <paramref name="targets"/>.</summary>
    /// <param name="http">The request, for the authentication failure's reason (null when unknown).</param>
    public AccessDecision Decide(HttpContext? http, ClaimsPrincipal? user, string method, AccessRule rule, IReadOnlyList<string> targets)
    {
        if (rule.Kind == CallKind.Open || !options.Enabled) return AccessDecision.Allowed;
        if (user?.Identity?.IsAuthenticated != true)
        {
            var failure = http?.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Failure?.Message;
            var sent = http is not null && BearerToken.From(http.Request.Headers.Authorization) is not null;
            var message = sent
                ? $"credentials refused: {failure ?? "the key or token is not valid"}"
                : "no credentials: send 'authorization: Bearer <key or token>' (create a key with ./cascade keys create --role ROLE)";
            return Refuse(method, new AccessDecision(StatusCode.Unauthenticated, message, AuditOutcome.Unauthenticated), "unauthenticated");
        }
        var name = CascadePrincipal.NameOf(user);
        if (CascadePrincipal.RoleOf(user) is not { } role)
        {
            return Refuse(method, new AccessDecision(StatusCode.PermissionDenied, $"'{name}' has no Cascade role: {Short(method)} needs {CascadeRoles.Name(rule.Required)}", AuditOutcome.Denied), "role");
        }
        if (!CascadeRoles.Satisfies(role, rule))
        {
            return Refuse(method, new AccessDecision(StatusCode.PermissionDenied, $"'{name}' has role {CascadeRoles.Name(role)}: {Short(method)} needs {CascadeRoles.Name(rule.Required)}", AuditOutcome.Denied), "role");
        }
        if (rule.ModelScoped && CascadePrincipal.ModelsOf(user) is { Count: > 0 } models)
        {
            if (targets.Count == 0)
            {
                return Refuse(method, new AccessDecision(StatusCode.PermissionDenied, $"'{name}' is limited to models {string.Join(", ", models)}: name one of them", AuditOutcome.Denied), "scope");
            }
            if (targets.FirstOrDefault(t => !models.Contains(t, StringComparer.Ordinal)) is { } outside)
            {
                return Refuse(method, new AccessDecision(StatusCode.PermissionDenied, $"'{name}' may not use model '{outside}' (limited to {string.Join(", ", models)})", AuditOutcome.Denied), "scope");
            }
        }
        return AccessDecision.Allowed;
    }

    /// <summary>Takes a permit of the principal's rate limit for <paramref name="method"/>, or says why not.</summary>
    public AccessDecision Limit(ClaimsPrincipal? user, string method)
    {
        if (limits.TryAcquire(CascadePrincipal.NameOf(user), method) is not { } retryAfter) return AccessDecision.Allowed;
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        return Refuse(method, new AccessDecision(StatusCode.ResourceExhausted, $"rate limit reached for '{CascadePrincipal.NameOf(user)}' on {Short(method)}: retry after {seconds} s", AuditOutcome.Denied), "rate");
    }

    /// <summary>Records a call in the audit log when its kind and outcome call for it (mutations always, data writes when refused).</summary>
    public ValueTask AuditAsync(ClaimsPrincipal? user, string method, AccessRule rule, IReadOnlyList<string> targets, AuditOutcome outcome, string detail)
    {
        var record = rule.Kind switch
        {
            CallKind.Mutation => true,
            CallKind.Data => outcome is AuditOutcome.Unauthenticated or AuditOutcome.Denied,
            _ => false,
        };
        if (!record || (outcome == AuditOutcome.Denied && detail.StartsWith("rate limit", StringComparison.Ordinal))) return ValueTask.CompletedTask;
        var principal = CascadePrincipal.NameOf(user);
        var role = CascadePrincipal.RoleOf(user) is { } held ? CascadeRoles.Name(held) : "none";
        return audit.RecordAsync(new AuditEntry(principal, role, Trim(method), string.Join(",", targets), outcome, detail));
    }

    private AccessDecision Refuse(string method, AccessDecision decision, string reason)
    {
        Refused.Add(1, new KeyValuePair<string, object?>("method", Trim(method)), new KeyValuePair<string, object?>("reason", reason));
        return decision;
    }

    private static string Trim(string method) => method.StartsWith('/') ? method[1..] : method;

    private static string Short(string method) => Trim(method).Split('/') is [var service, var name] ? $"{service.Split('.')[^1]}/{name}" : method;
}
