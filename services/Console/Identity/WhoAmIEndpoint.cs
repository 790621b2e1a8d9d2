using Cascade.Hosting.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cascade.WebConsole.Identity;

/// <summary>
/// <c>GET /console/api/whoami</c>: who the page's key or token belongs to and which of the page's actions its role may
/// take, decided by the same table that authorizes the calls (<see cref="AccessRules"/>), so the page disables exactly
/// the buttons whose calls would be refused. Open to anyone (it tells only whether authentication is on and what the
/// caller's own credentials allow): without valid credentials, when authentication is on, it answers
/// <c>authenticated: false</c> with the reason, and the page asks for a key.
/// </summary>
internal static class WhoAmIEndpoint
{
    /// <summary>The page's actions and the method each one calls.</summary>
    public static IReadOnlyDictionary<string, string> Actions { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["promote"] = "cascade.registry.v1.Registry/PromoteModelVersion",
        ["rollback"] = "cascade.registry.v1.Registry/RollbackModel",
        ["traffic"] = "cascade.serving.v1.Serving/SetTrafficPolicy",
        ["trigger"] = "cascade.training.v1.Training/TriggerTraining",
        ["cancel"] = "cascade.training.v1.Training/CancelJob",
        ["acknowledge"] = "cascade.monitoring.v1.Monitoring/AcknowledgeAlert",
    };

    public static void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/console/api/whoami", (HttpContext http, AccessControl access) =>
        {
            http.Response.Headers.CacheControl = "no-store";
            return Results.Json(Describe(http, access.Enforced));
        }).RequireCascadeAccess(AccessRules.ConsoleWhoAmI);

    /// <summary>What the page is told about its caller.</summary>
    public static WhoAmI Describe(HttpContext http, bool authEnabled)
    {
        if (!authEnabled)
        {
            // Authentication off: every call passes (a loopback host), so every action is open.
            return new WhoAmI(false, true, CascadePrincipal.Anonymous, null, [], Actions.Keys.ToDictionary(a => a, _ => true), null);
        }
        if (http.User.Identity?.IsAuthenticated != true)
        {
            var sent = BearerToken.From(http.Request.Headers.Authorization) is not null;
            var failure = http.Features.Get<Microsoft.AspNetCore.Authentication.IAuthenticateResultFeature>()?.AuthenticateResult?.Failure?.Message;
            var reason = sent ? $"credentials refused: {failure ?? "the key or token is not valid"}" : "no credentials: sign in with a key or token";
            return new WhoAmI(true, false, CascadePrincipal.Anonymous, null, [], Actions.Keys.ToDictionary(a => a, _ => false), reason);
        }
        var role = CascadePrincipal.RoleOf(http.User);
        var may = Actions.ToDictionary(a => a.Key, a => role is { } held && CascadeRoles.Satisfies(held, AccessRules.For(a.Value)));
        return new WhoAmI(true, true, CascadePrincipal.NameOf(http.User), role is { } r ? CascadeRoles.Name(r) : null, CascadePrincipal.ModelsOf(http.User), may, null);
    }
}

/// <summary>The caller as the page sees it: whether it is signed in (and if not, why), its name, role, the models it is limited to (none: all), and the actions it may take.</summary>
internal sealed record WhoAmI(bool AuthEnabled, bool Authenticated, string Name, string? Role, IReadOnlyList<string> Models, IReadOnlyDictionary<string, bool> May, string? Refused);
