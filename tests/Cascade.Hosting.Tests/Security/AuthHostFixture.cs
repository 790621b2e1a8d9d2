using System.Security.Cryptography;
using System.Text.Json;
using Cascade.Host;
using Cascade.Hosting.Security;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cascade.Hosting.Tests.Security;

/// <summary>
/// An all-in-one host started with authentication on (<c>--Cascade:Auth:Enabled=true</c>), API keys created in its
/// data directory the way <c>./cascade keys create</c> does, and an identity provider's signing key (ES256) published
/// as a JWKS file, so tests can mint tokens.
/// </summary>
public class AuthHostFixture : IAsyncLifetime
{
    public const string Issuer = "https://idp.test";

    private readonly ECDsa _signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public string Data { get; } = Directory.CreateTempSubdirectory("cascade-auth-").FullName;

    public WebApplication Host { get; private set; } = null!;

    public string Grpc { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public ApiKeyStore Keys { get; private set; } = null!;

    public string PredictorKey { get; private set; } = null!;

    public string OperatorKey { get; private set; } = null!;

    public string ServiceKey { get; private set; } = null!;

    /// <summary>A predictor key limited to model <c>alpha</c>.</summary>
    public string AlphaOnlyKey { get; private set; } = null!;

    /// <summary>Extra settings (such as rate limits) for a subclass-free variant of the fixture.</summary>
    public virtual string[] ExtraArgs => [];

    public async Task InitializeAsync()
    {
        Keys = new ApiKeyStore(Path.Combine(Data, "keys.json"));
        PredictorKey = Keys.Create("pat", CascadeRole.Predictor, []).Key;
        OperatorKey = Keys.Create("olga", CascadeRole.Operator, []).Key;
        ServiceKey = Keys.Create("training-worker", CascadeRole.Service, []).Key;
        AlphaOnlyKey = Keys.Create("alpha-app", CascadeRole.Predictor, ["alpha"]).Key;
        var jwks = Path.Combine(Data, "jwks.json");
        var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(_signing) { KeyId = "k1" });
        await File.WriteAllTextAsync(jwks, JsonSerializer.Serialize(new { keys = new[] { new { kty = jwk.Kty, crv = jwk.Crv, x = jwk.X, y = jwk.Y, kid = "k1", use = "sig", alg = "ES256" } } }));

        var options = new AllInOneHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = Data };
        Host = AllInOneHost.Build(options, _ => { },
        [
            "--Cascade:Auth:Enabled=true", $"--Cascade:Auth:Jwt:Issuer={Issuer}", $"--Cascade:Auth:Jwt:JwksFile={jwks}", .. ExtraArgs,
        ]);
        await Host.StartAsync();
        var (grpc, http) = AllInOneHost.GetAddresses(Host, options);
        Grpc = grpc;
        Http = new HttpClient { BaseAddress = new Uri(http), Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>A channel whose calls carry <paramref name="key"/> (none when null).</summary>
    public GrpcChannel Channel(string? key) => GrpcChannel.ForAddress(Grpc, new GrpcChannelOptions
    {
        HttpHandler = new Bearer(key) { InnerHandler = new SocketsHttpHandler() },
    });

    /// <summary>A token from the test identity provider.</summary>
    public string Token(object? role, string subject = "dana", string audience = "cascade", TimeSpan? lifetime = null, string[]? models = null, ECDsa? signer = null)
    {
        var claims = new Dictionary<string, object> { ["sub"] = subject };
        if (role is not null) claims["cascade_role"] = role;
        if (models is not null) claims["cascade_models"] = models;
        var now = DateTime.UtcNow;
        var expires = now + (lifetime ?? TimeSpan.FromMinutes(5));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer, Audience = audience, Claims = claims,
            IssuedAt = expires < now ? expires - TimeSpan.FromMinutes(10) : now,
            NotBefore = expires < now ? expires - TimeSpan.FromMinutes(10) : now,
            Expires = expires,
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(signer ?? _signing) { KeyId = "k1" }, SecurityAlgorithms.EcdsaSha256),
        });
    }

    public HttpRequestMessage Request(HttpMethod method, string path, string? key, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (key is not null) request.Headers.TryAddWithoutValidation("authorization", "Bearer " + key);
        if (json is not null) request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        return request;
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Host.StopAsync();
        await Host.DisposeAsync();
        _signing.Dispose();
        Directory.Delete(Data, recursive: true);
    }

    private sealed class Bearer(string? key) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (key is not null) request.Headers.TryAddWithoutValidation("authorization", "Bearer " + key);
            return base.SendAsync(request, cancellationToken);
        }
    }
}

/// <summary>Asserts on the status of a refused call.</summary>
internal static class Refused
{
    public static async Task<RpcException> With(StatusCode status, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(ex.StatusCode == status, $"expected {status}, got {ex.StatusCode}: {ex.Status.Detail}");
        return ex;
    }

    /// <summary>The call got past authentication and authorization (whatever the handler then answered).</summary>
    public static async Task Authorized(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (RpcException ex)
        {
            Assert.False(ex.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied, $"refused: {ex.StatusCode}: {ex.Status.Detail}");
        }
    }
}
