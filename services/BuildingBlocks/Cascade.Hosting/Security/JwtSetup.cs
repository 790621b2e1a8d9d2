using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace Cascade.Hosting.Security;

/// <summary>
/// Bearer JWTs from an OpenID Connect provider, validated by ASP.NET Core's JwtBearer handler (issuer, audience,
/// lifetime, signature against the provider's JWKS) and then reduced to Cascade's claims: a name, one role, the models.
/// </summary>
public static class JwtSetup
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "CascadeJwt";

    /// <summary>Configures <paramref name="bearer"/> from <paramref name="jwt"/>.</summary>
    public static void Configure(JwtBearerOptions bearer, JwtOptions jwt)
    {
        var keys = new JsonWebKeys(jwt);
        bearer.MapInboundClaims = false;
        bearer.RequireHttpsMetadata = false;
        bearer.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = jwt.Issuer,
            ValidAudience = jwt.Audience,
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromSeconds(jwt.ClockSkewSeconds),
            IssuerSigningKeyResolver = (_, _, kid, _) => keys.Resolve(kid),
        };
        bearer.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                context.Principal = new ClaimsPrincipal(ToCascade(context.Principal!, jwt));
                return Task.CompletedTask;
            },
        };
    }

    /// <summary>The Cascade identity of a validated token: name, the highest role it names (none when it names no known role), its models.</summary>
    public static ClaimsIdentity ToCascade(ClaimsPrincipal token, JwtOptions jwt)
    {
        var name = token.FindFirst(jwt.NameClaim)?.Value ?? token.FindFirst("sub")?.Value ?? "jwt";
        var roles = Values(token, jwt.RoleClaim).Select(r => CascadeRoles.TryParse(r, out var role) ? role : (CascadeRole?)null).OfType<CascadeRole>().ToArray();
        var models = Values(token, jwt.ModelsClaim);
        if (roles.Length == 0)
        {
            // Authenticated but without a role: every call that needs one is PERMISSION_DENIED, not UNAUTHENTICATED.
            return new ClaimsIdentity([new Claim(ClaimTypes.Name, "jwt:" + name)], SchemeName, ClaimTypes.Name, CascadePrincipal.RoleClaim);
        }
        // Several roles: the strongest of the cumulative ones, else service.
        var cumulative = roles.Where(r => r != CascadeRole.Service).ToArray();
        var held = cumulative.Length > 0 ? cumulative.Max() : CascadeRole.Service;
        return CascadePrincipal.Identity(SchemeName, "jwt:" + name, held, models);
    }

    /// <summary>A claim's values, whether the token carries them as several claims, a JSON array or a space-separated string.</summary>
    private static IReadOnlyList<string> Values(ClaimsPrincipal token, string type)
    {
        var values = new List<string>();
        foreach (var claim in token.FindAll(type))
        {
            if (claim.ValueType == "JSON_ARRAY" || claim.Value.StartsWith('['))
            {
                try
                {
                    values.AddRange(JsonSerializer.Deserialize<string[]>(claim.Value) ?? []);
                    continue;
                }
                catch (JsonException)
                {
                }
            }
            values.AddRange(claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        return values;
    }
}
