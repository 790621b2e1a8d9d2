using Grpc.Core;

namespace Cascade.Hosting.Security;

/// <summary>Who made a call, as the registry's and the alert store's records name them.</summary>
public static class CallerIdentity
{
    /// <summary>
    /// The authenticated principal; a name the client typed (<paramref name="claimed"/>) is never taken as the actor.
    /// With authentication off there is no principal: the record says the name was claimed, not proven
    /// (<c>ops (unauthenticated)</c>), or <c>anonymous</c>.
    /// </summary>
    public static string Actor(ServerCallContext context, string? claimed)
    {
        var user = UserOf(context);
        if (user?.Identity?.IsAuthenticated == true) return CascadePrincipal.NameOf(user);
        return string.IsNullOrWhiteSpace(claimed) ? CascadePrincipal.Anonymous : $"{claimed.Trim()} (unauthenticated)";
    }

    /// <summary>Whether the call carries an authenticated principal.</summary>
    public static bool IsAuthenticated(ServerCallContext context) => UserOf(context)?.Identity?.IsAuthenticated == true;

    // A call context made outside ASP.NET Core (a handler called directly, as unit tests do) has no HttpContext and no principal.
    private static System.Security.Claims.ClaimsPrincipal? UserOf(ServerCallContext context)
    {
        try
        {
            return context.GetHttpContext()?.User;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
