using Cascade.Hosting.Grpc;
using Grpc.AspNetCore.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cascade.Hosting.Tests;

public class OptionsTests
{
    [Fact]
    public void Server_defaults_are_the_documented_ones()
    {
        var options = new GrpcServerOptions();
        options.MaxReceiveMessageSize.Should().Be(4 * 1024 * 1024);
        options.MaxSendMessageSize.Should().Be(4 * 1024 * 1024);
        options.EnableDetailedErrors.Should().BeFalse();
    }

    [Fact]
    public void Server_options_bind_from_configuration_and_reach_grpc_aspnetcore()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Grpc:Server:MaxReceiveMessageSize"] = "1048576",
            ["Grpc:Server:EnableDetailedErrors"] = "true",
        }).Build();
        using var provider = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddCascadeGrpc().BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<GrpcServerOptions>>().Value;
        options.MaxReceiveMessageSize.Should().Be(1024 * 1024);
        options.EnableDetailedErrors.Should().BeTrue();
        var grpc = provider.GetRequiredService<IOptions<GrpcServiceOptions>>().Value;
        grpc.MaxReceiveMessageSize.Should().Be(1024 * 1024);
        grpc.EnableDetailedErrors.Should().BeTrue();
    }

    [Fact]
    public void An_invalid_server_limit_is_reported_by_name()
    {
        using var provider = new ServiceCollection().AddLogging().AddCascadeGrpc(o => o.MaxReceiveMessageSize = 0).BuildServiceProvider();
        var act = () => provider.GetRequiredService<IOptions<GrpcServerOptions>>().Value;
        act.Should().Throw<OptionsValidationException>().WithMessage("*MaxReceiveMessageSize*");
    }
}
