using Cascade.Cli.Distributed;
using Cascade.Ml.Signing;

namespace Cascade.Distributed.Tests;

/// <summary>
/// The distributed deployment's signing key, as <c>./cascade up --distributed</c> prepares it from tye.yaml before the
/// processes start: made once, its public half where Serving is told to look, so what the workers sign Serving trusts.
/// </summary>
public sealed class ClusterSigningKeyTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cascade-cluster-key-").FullName;
    private readonly IReadOnlyList<ServiceSpec> _services = Topology.Load(Path.Combine(DistributedCascadeTests.RepositoryRoot(), "tye.yaml"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Setting(string service, string key) => _services.Single(s => s.Name == service).Environment[key];

    [Fact]
    public void What_the_workers_sign_with_serving_trusts_and_the_key_is_made_only_once()
    {
        var ids = ClusterSigningKey.Ensure(_root, _services);
        var again = ClusterSigningKey.Ensure(_root, _services);

        var id = ids.Should().ContainSingle().Subject;
        again.Should().Equal(ids, "a second start reuses the key");
        using var key = SigningKey.Load(Path.GetFullPath(Setting("training-worker", "Cascade__Signing__PrivateKeyFile"), _root));
        key.KeyId.Should().Be(id);
        var trusted = new ModelSigningOptions { TrustedKeys = Path.GetFullPath(Setting("serving", "Cascade__Signing__TrustedKeys"), _root) };
        ArtifactTrust.From(trusted).Keys.Ids.Should().Equal([id]);
    }

    [Fact]
    public void Only_the_training_workers_are_given_the_private_key()
    {
        _services.Where(s => s.Environment.ContainsKey("Cascade__Signing__PrivateKeyFile")).Select(s => s.Name).Should().Equal(["training-worker"]);
        _services.Where(s => s.Environment.ContainsKey("Cascade__Signing__TrustedKeys")).Select(s => s.Name).Should().Equal(["serving"]);
    }
}
