using System.Security.Claims;

namespace Cascade.Hosting.Security;

/// <summary>
/// The claims Cascade reads from an authenticated user, whichever scheme authenticated it (an API key or a JWT):
/// a name for the audit log, one role, and the models it is limited to (none listed: every model).
/// </summary>
public static class CascadePrincipal
{
    /// <summary>Claim type of the Cascade role.</summary>
    public const string RoleClaim = "cascade:role";

    /// <summary>Claim type of a model the principal is limited to (one claim per model).</summary>
    public const string ModelClaim = "cascade:model";

    /// <summary>The name recorded when authentication is off.</summary>
    public const string Anonymous = "anonymous";

    /// <summary>Builds the identity of a principal.</summary>
    public static ClaimsIdentity Identity(string scheme, string name, CascadeRole role, IEnumerable<string> models)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name), new(RoleClaim, CascadeRoles.Name(role)) };
        claims.AddRange(models.Select(m => new Claim(ModelClaim, m)));
        return new ClaimsIdentity(claims, scheme, ClaimTypes.Name, RoleClaim);
    }

    /// <summary>The principal's name, or <c>anonymous</c>.</summary>
    public static string NameOf(ClaimsPrincipal? user) =>
        user?.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : Anonymous;

    /// <summary>The principal's role, or null when it has none (not authenticated, or a token without a known role).</summary>
    public static CascadeRole? RoleOf(ClaimsPrincipal? user) =>
        user?.Identity?.IsAuthenticated == true && CascadeRoles.TryParse(user.FindFirst(RoleClaim)?.Value, out var role) ? role : null;

    /// <summary>The models the principal is limited to; empty: every model.</summary>
    public static IReadOnlyList<string> ModelsOf(ClaimsPrincipal? user) =>
        user?.FindAll(ModelClaim).Select(c => c.Value).ToArray() ?? [];

    /// <summary>Whether the principal may act on <paramref name="model"/>.</summary>
    public static bool MayUseModel(ClaimsPrincipal? user, string model)
    {
        var models = ModelsOf(user);
        return models.Count == 0 || models.Contains(model, StringComparer.Ordinal);
    }
}
