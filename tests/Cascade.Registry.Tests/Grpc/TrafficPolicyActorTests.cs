using System.Security.Claims;
using Cascade.Contracts.Registry.V1;
using Cascade.EventLog.Embedded;
using Cascade.Hosting.Security;
using Cascade.Registry.Domain;
using Cascade.Registry.Grpc;
using Cascade.Registry.Messaging;
using Cascade.Registry.Options;
using Cascade.Registry.Storage;
using Cascade.Storage.Artifacts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cascade.Registry.Tests.Grpc;

/// <summary>
/// Who the audit log names for a traffic policy change: the authenticated caller; a service (Serving) forwarding the
/// operator it authenticated is recorded beside that operator; a name claimed by anyone else is never taken as proven.
/// </summary>
public sealed class TrafficPolicyActorTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-registry-actor-").FullName;
    private SqliteRegistryStore _store = null!;
    private SqliteEventLog _log = null!;
    private RegistryGrpcService _service = null!;

    public Task InitializeAsync()
    {
        _store = new SqliteRegistryStore(Path.Combine(_data, "registry.db"));
        _log = new SqliteEventLog(new EmbeddedEventLogOptions { Path = Path.Combine(_data, "events.db") });
        var artifacts = new LocalArtifactStore(Path.Combine(_data, "artifacts"));
        var registry = new ModelRegistry(_store, artifacts, new PromotionGate(new PromotionGateOptions()), new RegistryOutbox(_store, _log, NullLogger<RegistryOutbox>.Instance));
        _service = new RegistryGrpcService(registry, _store, artifacts);
        _store.EnsureModel("churn", TaskType.BinaryClassification);
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData(CascadeRole.Service, "serving", "alice", "alice (via serving)")]
    [InlineData(CascadeRole.Service, "serving", "", "serving")]
    [InlineData(CascadeRole.Operator, "bob", "alice", "bob")]
    [InlineData(null, null, "alice", "alice (unauthenticated)")]
    [InlineData(null, null, "", "anonymous")]
    public async Task The_audit_names_the_proven_caller_and_whom_a_service_acted_for(CascadeRole? role, string? principal, string claimed, string recorded)
    {
        var context = new TestServerCallContext();
        var user = role is { } held ? new ClaimsPrincipal(CascadePrincipal.Identity("test", principal!, held, [])) : new ClaimsPrincipal(new ClaimsIdentity());
        // How Grpc.AspNetCore lets a call context made outside ASP.NET Core carry its HttpContext.
        context.UserState["__HttpContext"] = new DefaultHttpContext { User = user };

        await _service.SetTrafficPolicy(new SetTrafficPolicyRequest { Model = "churn", CanaryPercent = 5, Actor = claimed, Reason = "test" }, context);

        _store.Audit("churn", 0).Single().Actor.Should().Be(recorded);
    }

    public async Task DisposeAsync()
    {
        _store.Dispose();
        await _log.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
