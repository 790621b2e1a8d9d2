using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Registry.V1;
using Cascade.Registry.Storage;
using Npgsql;

namespace Cascade.Infrastructure.Tests;

/// <summary>
/// Traffic policies on the registry's PostgreSQL store (as PostgresRegistryStoreTests, each test in a database of its
/// own): stored with the model, audited, announced through the outbox, and concurrent changes from two replicas get
/// revisions in the order they committed.
/// </summary>
public sealed class PostgresRegistryTrafficPolicyTests : IDisposable
{
    private readonly string _database = Servers.Unique("registry_traffic").Replace('-', '_');
    private readonly string _connectionString;

    public PostgresRegistryTrafficPolicyTests()
    {
        var admin = $"Host=127.0.0.1;Port={Servers.Postgres};Username=postgres;Database=postgres";
        using (var connection = new NpgsqlConnection(admin))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE {_database}", connection);
            create.ExecuteNonQuery();
        }
        _connectionString = $"Host=127.0.0.1;Port={Servers.Postgres};Username=postgres;Database={_database}";
    }

    private static AuditEntry Changed(string actor) => new() { Actor = actor, Action = "TrafficPolicyChanged", Model = "m", Reason = "test" };

    private static RegistryEvent Announce(long revision, double percent) =>
        new(Topics.ModelsTraffic, "m", new TrafficPolicyChanged { Model = "m", CanaryPercent = percent, Revision = revision });

    [Fact]
    public void A_policy_is_stored_with_its_model_audited_announced_and_read_back_after_a_restart()
    {
        TrafficPolicy stored;
        using (var first = new PostgresRegistryStore(_connectionString))
        {
            first.EnsureModel("m", TaskType.BinaryClassification);
            first.GetModel("m")!.TrafficPolicy.Should().Be(new TrafficPolicy(), "champion only until one is set");
            stored = first.SetTrafficPolicy("m", new TrafficPolicy { CanaryPercent = 12.5, Shadow = true }, Changed("alice"), r => Announce(r, 12.5))!.TrafficPolicy;
            first.SetTrafficPolicy("nope", new TrafficPolicy(), Changed("alice"), r => Announce(r, 0)).Should().BeNull("the model does not exist");
        }
        using var second = new PostgresRegistryStore(_connectionString);
        second.GetModel("m")!.TrafficPolicy.Should().Be(new TrafficPolicy { CanaryPercent = 12.5, Shadow = true, Revision = stored.Revision });
        second.Audit("m", 0).Should().ContainSingle(e => e.Action == "TrafficPolicyChanged").Which.Sequence.Should().Be(stored.Revision);
        var pending = second.PendingEvents(10).Should().ContainSingle().Subject;
        pending.Topic.Should().Be(Topics.ModelsTraffic);
        EventEnvelopes.Unwrap(EventEnvelope.Parser.ParseFrom(pending.Envelope), TrafficPolicyChanged.Parser).Revision.Should().Be(stored.Revision);
    }

    [Fact]
    public async Task Two_replicas_changing_one_policy_at_once_leave_the_last_committed_one_with_the_highest_revision()
    {
        using var a = new PostgresRegistryStore(_connectionString);
        using var b = new PostgresRegistryStore(_connectionString);
        a.EnsureModel("m", TaskType.BinaryClassification);

        var results = await Task.WhenAll(Enumerable.Range(1, 20).Select(i => Task.Run(() =>
            (i % 2 == 0 ? a : b).SetTrafficPolicy("m", new TrafficPolicy { CanaryPercent = i }, Changed($"r{i % 2}"), r => Announce(r, i))!.TrafficPolicy)));

        results.Select(p => p.Revision).Should().OnlyHaveUniqueItems();
        var last = results.MaxBy(p => p.Revision)!;
        a.GetModel("m")!.TrafficPolicy.Should().Be(last, "the stored policy is the one with the highest revision");
        var announced = a.PendingEvents(100).Select(e => EventEnvelopes.Unwrap(EventEnvelope.Parser.ParseFrom(e.Envelope), TrafficPolicyChanged.Parser)).ToArray();
        announced.Select(e => e.Revision).Should().BeInAscendingOrder("the outbox keeps commit order, so replicas replay changes in revision order");
        announced[^1].CanaryPercent.Should().Be(last.CanaryPercent);
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={Servers.Postgres};Username=postgres;Database=postgres");
        connection.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
        drop.ExecuteNonQuery();
    }
}
