using System.Net;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Cascade.EventLog.Abstractions;

namespace Cascade.Hosting.Security;

/// <summary>
/// Wires authentication (API keys, JWTs), authorization (<see cref="AccessInterceptor"/> on every gRPC method),
/// rate limits and the audit trail into a Cascade process. Authentication uses ASP.NET Core's own middleware and
/// handlers; only the role table and the key store are Cascade's.
/// </summary>
public static class SecurityComposition
{
    /// <summary>The scheme that picks the API-key or JWT handler by the token's shape.</summary>
    public const string Scheme = "Cascade";

    /// <summary>Binds and validates <see cref="AuthOptions"/> and registers everything above; refuses an open host on a non-loopback address unless insecure is asked for.</summary>
    /// <exception cref="OptionsValidationException">A bad setting, or an unauthenticated host on a public address.</exception>
    public static AuthOptions AddCascadeSecurity(this IServiceCollection services, string bindAddress, string dataDirectory, string processName)
    {
        var auth = services.AddValidatedOptions<AuthOptions>(AuthOptions.SectionName,
            o => { if (string.IsNullOrWhiteSpace(o.KeysFile)) o.KeysFile = Path.Combine(dataDirectory, "keys.json"); },
            o => Rules(o, bindAddress));
        services.AddSingleton(auth.RateLimits);
        services.AddSingleton(new ApiKeyStore(auth.KeysFile));
        services.AddSingleton<PrincipalRateLimiter>();
        services.AddSingleton<AccessControl>();
        services.AddSingleton<AccessInterceptor>();
        services.AddSingleton(_ => new SqliteAuditTrail(Path.Combine(dataDirectory, "audit.db")));
        services.AddSingleton<IAuditTrail>(provider => provider.GetRequiredService<SqliteAuditTrail>());
        services.AddHostedService(provider => new AuditRelay(provider.GetRequiredService<SqliteAuditTrail>(), provider.GetRequiredService<IEventLog>(), processName, provider.GetRequiredService<ILogger<AuditRelay>>()));
        services.Configure<GrpcServiceOptions>(grpc => grpc.Interceptors.Add<AccessInterceptor>());
        if (auth.Enabled)
        {
            var authentication = services.AddAuthentication(Scheme)
                .AddPolicyScheme(Scheme, "Cascade API key or JWT", policy => policy.ForwardDefaultSelector = context =>
                    BearerToken.From(context.Request.Headers.Authorization) is { } token && !ApiKeyStore.LooksLikeKey(token) && auth.Jwt.Enabled
                        ? JwtSetup.SchemeName
                        : ApiKeyAuthenticationHandler.SchemeName)
                .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, _ => { });
            if (auth.Jwt.Enabled)
            {
                authentication.AddJwtBearer(JwtSetup.SchemeName, bearer => JwtSetup.Configure(bearer, auth.Jwt));
            }
        }
        return auth;
    }

    /// <summary>Authenticates requests (when authentication is on); call after <c>UseRouting</c>.</summary>
    public static WebApplication UseCascadeSecurity(this WebApplication app)
    {
        var auth = app.Services.GetRequiredService<AuthOptions>();
        if (auth.Enabled)
        {
            app.UseAuthentication();
        }
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Cascade.Security");
            if (auth.Enabled)
            {
                logger.LogInformation("Authentication is on: API keys from {KeysFile}{Jwt}", auth.KeysFile, auth.Jwt.Enabled ? $", JWTs from {auth.Jwt.Issuer}" : string.Empty);
            }
            else
            {
                logger.LogWarning("Authentication is OFF: anyone who can reach this host may call every API (start with --auth, or set Cascade__Auth__Enabled=true)");
            }
        });
        return app;
    }

    private static IEnumerable<string> Rules(AuthOptions auth, string bindAddress)
    {
        if (!auth.Enabled && !auth.Insecure && !(IPAddress.TryParse(bindAddress, out var address) && IPAddress.IsLoopback(address)) && bindAddress != "localhost")
        {
            yield return $"the host would listen on {bindAddress}, beyond this machine, with authentication off: turn it on (--auth, Cascade__Auth__Enabled=true) or say it is meant (--insecure, Cascade__Auth__Insecure=true)";
        }
        if (auth.Jwt.Enabled && string.IsNullOrWhiteSpace(auth.Jwt.JwksUrl) && string.IsNullOrWhiteSpace(auth.Jwt.JwksFile))
        {
            yield return "Jwt:Issuer is set but neither Jwt:JwksUrl nor Jwt:JwksFile says where its signing keys are";
        }
        if (!string.IsNullOrWhiteSpace(auth.Jwt.JwksFile) && !File.Exists(auth.Jwt.JwksFile))
        {
            yield return $"Jwt:JwksFile: {auth.Jwt.JwksFile} does not exist";
        }
        if (!string.IsNullOrWhiteSpace(auth.ServiceKeyFile) && !File.Exists(auth.ServiceKeyFile))
        {
            yield return $"ServiceKeyFile: {auth.ServiceKeyFile} does not exist";
        }
    }
}
