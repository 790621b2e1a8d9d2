using System.CommandLine;
using Cascade.Cli.Commands;
using Cascade.Cli.Distributed;

namespace Cascade.Cli.Tests.Commands;

/// <summary>Where apply and get find each service: one address, per-service addresses, or the local distributed deployment's tye.yaml.</summary>
public sealed class ServiceEndpointOptionsTests
{
    private static Demo.CascadeChannels Open(params string[] args)
    {
        var endpoints = new ServiceEndpointOptions();
        var command = new Command("probe");
        endpoints.AddTo(command);
        return endpoints.Open(command.Parse(args));
    }

    [Fact]
    public void One_address_reaches_every_service_and_a_per_service_address_overrides_it()
    {
        using var channels = Open("--grpc", "http://127.0.0.1:6001", "--serving", "http://127.0.0.1:6002");

        new[] { channels.Ingestion, channels.Features, channels.Training, channels.Registry, channels.Monitoring }.Select(c => c.Target).Should().AllBe("127.0.0.1:6001");
        channels.Serving.Target.Should().Be("127.0.0.1:6002");
        channels.Ingestion.Should().BeSameAs(channels.Training, "one channel per distinct address");
    }

    [Fact]
    public void Distributed_takes_each_services_port_from_tye_yaml()
    {
        Environment.SetEnvironmentVariable("CASCADE_REPO_ROOT", RepositoryFiles.Root);
        var ports = Topology.Load(RepositoryFiles.Path("tye.yaml")).ToDictionary(s => s.Name, s => s.GrpcPort);

        using var channels = Open("--distributed", "--features", "http://127.0.0.1:6003");

        channels.Ingestion.Target.Should().Be($"127.0.0.1:{ports["ingestion"]}");
        channels.Training.Target.Should().Be($"127.0.0.1:{ports["training"]}");
        channels.Serving.Target.Should().Be($"127.0.0.1:{ports["serving"]}");
        channels.Registry.Target.Should().Be($"127.0.0.1:{ports["registry"]}");
        channels.Features.Target.Should().Be("127.0.0.1:6003");
        ports["ingestion"].Should().NotBe(ports["serving"], "the distributed services listen apart");
    }
}
