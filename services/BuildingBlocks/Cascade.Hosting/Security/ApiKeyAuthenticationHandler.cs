using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cascade.Hosting.Security;

/// <summary>
/// Authenticates <c>authorization: Bearer cascade_…</c> (an HTTP header or gRPC metadata, which is the same header)
/// against the <see cref="ApiKeyStore"/>. No header: no result (the call is anonymous and authorization decides);
/// a key that is unknown, revoked or wrong: a failure, which authorization turns into UNAUTHENTICATED / HTTP 401.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyStore keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "CascadeApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = BearerToken.From(Request.Headers.Authorization);
        if (token is null) return Task.FromResult(AuthenticateResult.NoResult());
        var entry = keys.Verify(token);
        if (entry is null || !CascadeRoles.TryParse(entry.Role, out var role))
        {
            return Task.FromResult(AuthenticateResult.Fail("the API key is not valid (unknown, revoked or mistyped)"));
        }
        var identity = CascadePrincipal.Identity(SchemeName, entry.Name, role, entry.Models);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}

/// <summary>Reads the token of an <c>authorization: Bearer …</c> header.</summary>
public static class BearerToken
{
    /// <summary>The token, or null when the header is absent or not a bearer token.</summary>
    public static string? From(string? header)
    {
        const string Scheme = "Bearer ";
        if (string.IsNullOrEmpty(header) || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)) return null;
        var token = header[Scheme.Length..].Trim();
        return token.Length == 0 ? null : token;
    }
}
