using Cascade.Hosting.Security;

namespace Cascade.Cli.Distributed;

/// <summary>
/// Authentication for the local distributed deployment (<c>./cascade up --distributed --auth</c>): one keys file
/// for every process (<c>.cascade/distributed/keys.json</c>), a key of role <c>service</c> per service — each process
/// calls the others as itself — and an <c>admin</c> key for whoever drives the cluster from the command line. Keys of
/// an earlier start are revoked, so only the running cluster's keys work.
/// </summary>
internal static class ClusterAuth
{
    /// <summary>The services with the settings that turn authentication on and give each its identity, and the admin key.</summary>
    public static (IReadOnlyList<ServiceSpec> Services, string AdminKey, string KeysFile) Enable(string repositoryRoot, IReadOnlyList<ServiceSpec> services)
    {
        var keysFile = Path.Combine(repositoryRoot, ".cascade", "distributed", "keys.json");
        var store = new ApiKeyStore(keysFile);
        var admin = Renew(store, "cluster-admin", CascadeRole.Admin);
        var secured = services.Select(service => service with
        {
            Environment = new Dictionary<string, string>(service.Environment)
            {
                ["Cascade__Auth__Enabled"] = "true",
                ["Cascade__Auth__KeysFile"] = keysFile,
                ["Cascade__Auth__ServiceKey"] = Renew(store, $"service-{service.Name}", CascadeRole.Service),
            },
        }).ToArray();
        return (secured, admin, keysFile);
    }

    private static string Renew(ApiKeyStore store, string name, CascadeRole role)
    {
        store.Revoke(name);
        return store.Create(name, role, []).Key;
    }
}
