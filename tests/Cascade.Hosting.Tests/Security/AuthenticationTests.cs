using System.Net;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Registry.V1;
using Cascade.Contracts.Serving.V1;
using Cascade.EventLog.Abstractions;
using Cascade.Hosting.Security;
using FluentAssertions;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;
using Cascade.Tests.Shared;
using RegistryClient = Cascade.Contracts.Registry.V1.Registry.RegistryClient;
using ServingClient = Cascade.Contracts.Serving.V1.Serving.ServingClient;

namespace Cascade.Hosting.Tests.Security;

/// <summary>
/// A host started with authentication on, called as its users would: with no key, a wrong key, a revoked key,
/// keys of each role and scope, and JWTs; over gRPC, JSON-transcoded REST and the Open Inference Protocol's REST.
/// </summary>
public sealed class AuthenticationTests(AuthHostFixture host) : IClassFixture<AuthHostFixture>
{
    private static readonly PromoteModelVersionRequest Promote = new() { Model = "churn", Version = 1, Reason = "test" };

    [Fact]
    public async Task Health_answers_serving_without_a_key()
    {
        using var channel = host.Channel(null);
        var health = await new global::Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
        health.Status.Should().Be(HealthCheckResponse.Types.ServingStatus.Serving);
        (await host.Http.GetAsync("/healthz")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await host.Http.GetAsync("/v2/health/live")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await host.Http.GetAsync("/metrics")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_call_without_a_key_or_with_a_wrong_key_is_unauthenticated()
    {
        using var none = host.Channel(null);
        var missing = await Refused.With(StatusCode.Unauthenticated, async () => await new RegistryClient(none).ListModelsAsync(new ListModelsRequest()));
        missing.Status.Detail.Should().Contain("authorization: Bearer");
        using var wrong = host.Channel("cascade_0123456789abcdef_not-the-secret");
        var refused = await Refused.With(StatusCode.Unauthenticated, async () => await new RegistryClient(wrong).ListModelsAsync(new ListModelsRequest()));
        refused.Status.Detail.Should().Contain("not valid");
        using var garbage = host.Channel("hello");
        await Refused.With(StatusCode.Unauthenticated, async () => await new RegistryClient(garbage).ListModelsAsync(new ListModelsRequest()));
    }

    [Fact]
    public async Task A_predictor_may_list_models_but_not_promote_and_an_operator_may_promote()
    {
        using var predictor = host.Channel(host.PredictorKey);
        await new RegistryClient(predictor).ListModelsAsync(new ListModelsRequest());
        var denied = await Refused.With(StatusCode.PermissionDenied, async () => await new RegistryClient(predictor).PromoteModelVersionAsync(Promote));
        denied.Status.Detail.Should().Contain("'pat' has role predictor").And.Contain("needs operator");

        using var @operator = host.Channel(host.OperatorKey);
        await Refused.Authorized(async () => await new RegistryClient(@operator).PromoteModelVersionAsync(Promote));
    }

    [Fact]
    public async Task Rest_infer_needs_a_key_and_a_predictor_key_reaches_the_model()
    {
        const string body = """{"inputs":[{"name":"x","shape":[1,1],"datatype":"FP32","data":[1]}]}""";
        var anonymous = await host.Http.SendAsync(host.Request(HttpMethod.Post, "/v2/models/no-such-model/infer", null, body));
        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        anonymous.Headers.WwwAuthenticate.ToString().Should().Contain("Bearer");
        (await anonymous.Content.ReadAsStringAsync()).Should().Contain("error");
        var predictor = await host.Http.SendAsync(host.Request(HttpMethod.Post, "/v2/models/no-such-model/infer", host.PredictorKey, body));
        predictor.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Transcoded_rest_routes_answer_401_and_403_as_grpc_does()
    {
        (await host.Http.SendAsync(host.Request(HttpMethod.Get, "/v1/models", null))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await host.Http.SendAsync(host.Request(HttpMethod.Get, "/v1/models", host.PredictorKey))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await host.Http.SendAsync(host.Request(HttpMethod.Post, "/v1/models/churn/versions/1:promote", host.PredictorKey, "{}"))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_key_limited_to_some_models_is_refused_the_others()
    {
        using var channel = host.Channel(host.AlphaOnlyKey);
        var outside = await Refused.With(StatusCode.PermissionDenied, async () => await new ServingClient(channel).PredictAsync(new PredictRequest { Model = "beta" }));
        outside.Status.Detail.Should().Contain("'beta'");
        await Refused.Authorized(async () => await new ServingClient(channel).PredictAsync(new PredictRequest { Model = "alpha" }));

        // In a stream, each message is checked: the stream may not switch to another model half-way.
        using var stream = new ServingClient(channel).PredictStream();
        await stream.RequestStream.WriteAsync(new PredictRequest { Model = "beta" });
        await stream.RequestStream.CompleteAsync();
        await Refused.With(StatusCode.PermissionDenied, async () => { while (await stream.ResponseStream.MoveNext(CancellationToken.None)) { } });

        var rest = await host.Http.SendAsync(host.Request(HttpMethod.Get, "/v2/models/beta", host.AlphaOnlyKey));
        rest.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_revoked_key_is_refused_within_seconds()
    {
        var (_, key) = host.Keys.Create("short-lived", CascadeRole.Reader, []);
        using var channel = host.Channel(key);
        await new RegistryClient(channel).ListModelsAsync(new ListModelsRequest());
        host.Keys.Revoke("short-lived").Should().BeTrue();
        await Eventually.WaitUntilAsync(async () =>
        {
            try
            {
                await new RegistryClient(channel).ListModelsAsync(new ListModelsRequest());
                return false;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unauthenticated)
            {
                return true;
            }
        }, "the revoked key is refused", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void No_key_is_stored_in_clear()
    {
        var file = File.ReadAllText(Path.Combine(host.Data, "keys.json"));
        foreach (var key in new[] { host.PredictorKey, host.OperatorKey, host.ServiceKey, host.AlphaOnlyKey })
        {
            // cascade_<id>_<secret>: the secret may itself hold '_' (base64url), so split at the first two only.
            var secret = key.Split('_', 3)[2];
            file.Should().NotContain(secret);
        }
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(Path.Combine(host.Data, "keys.json")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    [Fact]
    public async Task Jwts_from_the_identity_provider_carry_a_role_and_bad_ones_are_refused()
    {
        using (var operatorToken = host.Channel(host.Token("operator")))
        {
            await Refused.Authorized(async () => await new RegistryClient(operatorToken).PromoteModelVersionAsync(Promote));
        }
        using (var readerToken = host.Channel(host.Token(new[] { "reader" })))
        {
            await new RegistryClient(readerToken).ListModelsAsync(new ListModelsRequest());
            await Refused.With(StatusCode.PermissionDenied, async () => await new RegistryClient(readerToken).PromoteModelVersionAsync(Promote));
        }
        using (var noRole = host.Channel(host.Token(role: null)))
        {
            await Refused.With(StatusCode.PermissionDenied, async () => await new RegistryClient(noRole).ListModelsAsync(new ListModelsRequest()));
        }
        using var otherSigner = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        foreach (var bad in new[]
        {
            host.Token("admin", lifetime: TimeSpan.FromMinutes(-5)),
            host.Token("admin", audience: "someone-else"),
            host.Token("admin", signer: otherSigner),
        })
        {
            using var channel = host.Channel(bad);
            await Refused.With(StatusCode.Unauthenticated, async () => await new RegistryClient(channel).ListModelsAsync(new ListModelsRequest()));
        }
    }

    [Fact]
    public async Task A_service_identity_may_read_and_register_but_not_operate()
    {
        using var channel = host.Channel(host.ServiceKey);
        await new RegistryClient(channel).ListModelsAsync(new ListModelsRequest());
        await Refused.Authorized(async () => await new RegistryClient(channel).RegisterModelVersionAsync(new RegisterModelVersionRequest { Spec = new ModelVersionSpec { Model = "churn" } }));
        await Refused.With(StatusCode.PermissionDenied, async () => await new RegistryClient(channel).PromoteModelVersionAsync(Promote));
        await Refused.With(StatusCode.PermissionDenied, async () => await new ServingClient(channel).PredictAsync(new PredictRequest { Model = "churn" }));
    }

    [Fact]
    public async Task Mutating_calls_are_audited_allowed_or_refused_under_the_principal_and_published()
    {
        using var predictor = host.Channel(host.PredictorKey);
        using var @operator = host.Channel(host.OperatorKey);
        var model = "audited-" + Guid.NewGuid().ToString("N")[..6];
        await Refused.With(StatusCode.PermissionDenied, async () => await new RegistryClient(predictor).PromoteModelVersionAsync(new PromoteModelVersionRequest { Model = model, Version = 1 }));
        await Refused.Authorized(async () => await new RegistryClient(@operator).RollbackModelAsync(new RollbackModelRequest { Model = model, ToVersion = 1, Actor = "someone-else" }));

        var entries = SqliteAuditTrail.ReadFile(Path.Combine(host.Data, "audit.db"), 1000).Where(e => e.Target == model).ToArray();
        entries.Should().Contain(e => e.Principal == "pat" && e.Role == "predictor" && e.Action.EndsWith("/PromoteModelVersion") && e.Outcome == "denied");
        entries.Should().Contain(e => e.Principal == "olga" && e.Role == "operator" && e.Action.EndsWith("/RollbackModel") && e.Outcome != "denied");
        entries.Should().NotContain(e => e.Principal == "someone-else");

        // The relay publishes each entry to the audit topic.
        var log = host.Host.Services.GetRequiredService<IEventLog>();
        await using var consumer = log.Subscribe(new ConsumerOptions("audit-test-" + model, [Topics.Audit]));
        var published = new List<AuditRecorded>();
        await Eventually.WaitUntilAsync(async () =>
        {
            foreach (var record in await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(500)))
            {
                published.Add(EventEnvelopes.Unwrap(EventEnvelope.Parser.ParseFrom(record.Value.Span), AuditRecorded.Parser));
            }
            return published.Count(p => p.Target == model) >= 2;
        }, "both entries reach cascade.audit.v1", TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task The_audit_log_refuses_updates_and_deletes()
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(host.Data, "audit.db")};Pooling=False");
        await connection.OpenAsync();
        foreach (var sql in new[] { "UPDATE audit SET principal = 'mallory'", "DELETE FROM audit" })
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            var change = () => command.ExecuteNonQuery();
            change.Should().Throw<Microsoft.Data.Sqlite.SqliteException>().WithMessage("*append-only*");
        }
    }

    [Fact]
    public void Every_served_method_has_a_rule_in_the_table()
    {
        var served = Host.ServedMethods(host.Host.Services);
        served.Should().NotBeEmpty();
        served.Where(m => !m.StartsWith("grpc.", StringComparison.Ordinal)).Should().OnlyContain(m => AccessRules.Table.ContainsKey(m), "every method needs an explicit rule");
    }
}

internal static class Host
{
    public static IReadOnlyList<string> ServedMethods(IServiceProvider services) =>
        services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .Select(e => e.Metadata.GetMetadata<global::Grpc.AspNetCore.Server.GrpcMethodMetadata>()?.Method.FullName.TrimStart('/'))
            .OfType<string>().Distinct().ToArray();
}
