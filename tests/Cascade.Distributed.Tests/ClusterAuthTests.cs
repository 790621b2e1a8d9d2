using Cascade.Cli.Distributed;
using Cascade.Hosting.Security;
using FluentAssertions;

namespace Cascade.Distributed.Tests;

/// <summary>
/// <c>./cascade up --distributed --auth</c>'s keys, as prepared before the processes start: every process gets
/// authentication on, the shared keys file and an identity of its own; the driver gets an admin key; a new start
/// revokes the previous start's keys.
/// </summary>
public sealed class ClusterAuthTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-cluster-auth-").FullName;
    private readonly IReadOnlyList<ServiceSpec> _services = Topology.Load(Path.Combine(DistributedCascadeTests.RepositoryRoot(), "tye.yaml"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Every_process_has_its_own_service_identity_and_the_driver_an_admin_key()
    {
        var (services, admin, keysFile) = ClusterAuth.Enable(_root, _services);
        var store = new ApiKeyStore(keysFile);
        store.Verify(admin)!.Role.Should().Be("admin");
        services.Should().HaveCount(_services.Count);
        foreach (var service in services)
        {
            service.Environment["Cascade__Auth__Enabled"].Should().Be("true");
            service.Environment["Cascade__Auth__KeysFile"].Should().Be(keysFile);
            var identity = store.Verify(service.Environment["Cascade__Auth__ServiceKey"]);
            identity!.Role.Should().Be("service");
            identity.Name.Should().Be($"service-{service.Name}");
        }
        services.Select(s => s.Environment["Cascade__Auth__ServiceKey"]).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void A_new_start_revokes_the_keys_of_the_previous_one()
    {
        var (first, firstAdmin, keysFile) = ClusterAuth.Enable(_root, _services);
        var (second, secondAdmin, _) = ClusterAuth.Enable(_root, _services);
        var store = new ApiKeyStore(keysFile);
        store.Verify(firstAdmin).Should().BeNull();
        store.Verify(first[0].Environment["Cascade__Auth__ServiceKey"]).Should().BeNull();
        store.Verify(secondAdmin).Should().NotBeNull();
        store.Verify(second[0].Environment["Cascade__Auth__ServiceKey"]).Should().NotBeNull();
    }
}
