using Cascade.Contracts.Registry.V1;
using Cascade.Registry.Storage;
using Npgsql;

namespace Cascade.Infrastructure.Tests;

/// <summary>The registry's PostgreSQL store against the local PostgreSQL, each test in a database of its own.</summary>
public sealed class PostgresRegistryStoreTests : IDisposable
{
    private readonly string _database = Servers.Unique("registry").Replace('-', '_');
    private readonly string _connectionString;

    public PostgresRegistryStoreTests()
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

    private static ModelVersionSpec Spec(string model, string job = "") => new()
    {
        Model = model,
        Objective = "binary:logistic",
        ArtifactSha256 = new string('a', 64),
        Lineage = new Lineage { TrainingJobId = job, TriggerReason = "test" },
    };

    [Fact]
    public void Migrations_are_applied_once_and_a_version_reads_back_with_its_spec_status_and_aliases()
    {
        using (var first = new PostgresRegistryStore(_connectionString))
        {
            first.SchemaVersion.Should().Be(5);
            first.EnsureModel("m", TaskType.BinaryClassification);
            var added = first.AddVersion(Spec("m", "job-1"), "worker-a");
            first.MoveAlias("m", Aliases.Champion, 0, added.Meta.Version, new AuditEntry { Actor = "gate", Action = "Promoted", Model = "m", ToVersion = 1 }).Should().BeTrue();
        }
        using var second = new PostgresRegistryStore(_connectionString);
        second.SchemaVersion.Should().Be(5, "a second start applies nothing");
        var version = second.GetVersion("m", 1)!;
        version.Spec.Should().Be(Spec("m", "job-1"));
        version.Meta.Status.Should().Be(VersionStatus.Champion);
        version.Meta.Aliases.Should().Equal(Aliases.Champion);
        version.Meta.RegisteredBy.Should().Be("worker-a");
        second.FindByJob("m", "job-1")!.Meta.Version.Should().Be(1);
        second.GetModel("m")!.ChampionVersion.Should().Be(1);
        second.Audit("m", 0).Select(a => a.Action).Should().Equal("Registered", "Promoted");
    }

    [Fact]
    public async Task Two_replicas_registering_at_once_never_hand_out_the_same_version()
    {
        using var a = new PostgresRegistryStore(_connectionString);
        using var b = new PostgresRegistryStore(_connectionString);
        a.EnsureModel("m", TaskType.BinaryClassification);

        var versions = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => (i % 2 == 0 ? a : b).AddVersion(Spec("m"), $"r{i % 2}").Meta.Version)));

        versions.Should().OnlyHaveUniqueItems().And.BeEquivalentTo(Enumerable.Range(1, 40));
    }

    [Fact]
    public async Task Only_one_of_two_replicas_moving_the_champion_from_the_same_version_wins()
    {
        using var a = new PostgresRegistryStore(_connectionString);
        using var b = new PostgresRegistryStore(_connectionString);
        a.EnsureModel("m", TaskType.BinaryClassification);
        a.AddVersion(Spec("m"), "w");
        a.AddVersion(Spec("m"), "w");

        var results = await Task.WhenAll(
            Task.Run(() => a.MoveAlias("m", Aliases.Champion, 0, 1, new AuditEntry { Actor = "a", Action = "Promoted", Model = "m", ToVersion = 1 })),
            Task.Run(() => b.MoveAlias("m", Aliases.Champion, 0, 2, new AuditEntry { Actor = "b", Action = "Promoted", Model = "m", ToVersion = 2 })));

        results.Count(r => r).Should().Be(1);
        a.Audit("m", 0).Count(e => e.Action == "Promoted").Should().Be(1);
    }

    [Fact]
    public void The_audit_log_refuses_updates_and_deletes_in_the_database_itself()
    {
        using (var store = new PostgresRegistryStore(_connectionString))
        {
            store.EnsureModel("m", TaskType.BinaryClassification);
            store.AddVersion(Spec("m"), "w");
        }
        using var connection = new NpgsqlConnection(_connectionString);
        connection.Open();
        var update = () => new NpgsqlCommand("UPDATE audit SET actor = 'someone else'", connection).ExecuteNonQuery();
        update.Should().Throw<PostgresException>().WithMessage("*append-only*");
        var delete = () => new NpgsqlCommand("DELETE FROM audit", connection).ExecuteNonQuery();
        delete.Should().Throw<PostgresException>().WithMessage("*append-only*");
    }

    [Fact]
    public void A_collected_version_shows_it_is_audited_and_can_no_longer_take_an_alias_while_an_aliased_one_is_not_collected()
    {
        using var store = new PostgresRegistryStore(_connectionString);
        store.EnsureModel("m", TaskType.BinaryClassification);
        store.AddVersion(Spec("m"), "w");
        store.AddVersion(Spec("m"), "w");
        store.MoveAlias("m", Aliases.Champion, 0, 2, new AuditEntry { Actor = "gate", Action = "Promoted", Model = "m", ToVersion = 2 }).Should().BeTrue();
        AuditEntry Collected(int version) => new() { Actor = "retention", Action = "ArtifactCollected", Model = "m", ToVersion = version, Reason = "outside the retention policy" };

        store.MarkArtifactCollected("m", 2, Collected(2)).Should().BeFalse("the champion is never collected");
        store.MarkArtifactCollected("m", 1, Collected(1)).Should().BeTrue();
        store.MarkArtifactCollected("m", 1, Collected(1)).Should().BeFalse("it was collected already");

        store.GetVersion("m", 1)!.Meta.ArtifactCollectedAt.Should().NotBeNull();
        store.GetVersion("m", 2)!.Meta.ArtifactCollectedAt.Should().BeNull();
        store.Audit("m", 0).Where(a => a.Action == "ArtifactCollected").Should().ContainSingle().Which.ToVersion.Should().Be(1);
        var rollback = () => store.MoveAlias("m", Aliases.Champion, 2, 1, new AuditEntry { Actor = "ops", Action = "RolledBack", Model = "m", ToVersion = 1 });
        rollback.Should().Throw<InvalidOperationException>().WithMessage("*collected*");
        store.ResolveAlias("m", Aliases.Champion).Should().Be(2);
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
