using Cascade.Grpc.Client;
using Cascade.Grpc.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cascade.Grpc.Tests;

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
    public void Channel_defaults_are_the_documented_ones()
    {
        var options = new GrpcChannelOptions();
        options.MaxReceiveMessageSize.Should().Be(4 * 1024 * 1024);
        options.MaxSendMessageSize.Should().Be(4 * 1024 * 1024);
        options.KeepAlivePingDelay.Should().Be(TimeSpan.FromSeconds(30));
        options.KeepAlivePingTimeout.Should().Be(TimeSpan.FromSeconds(20));
        options.ConnectTimeout.Should().Be(TimeSpan.FromSeconds(10));
        options.HttpHandler.Should().BeNull();
    }

    [Fact]
    public void Server_options_bind_from_configuration()
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
    }

    [Fact]
    public void An_invalid_server_limit_is_reported_by_name()
    {
        using var provider = new ServiceCollection().AddLogging().AddCascadeGrpc(o => o.MaxReceiveMessageSize = 0).BuildServiceProvider();
        var act = () => provider.GetRequiredService<IOptions<GrpcServerOptions>>().Value;
        act.Should().Throw<OptionsValidationException>().WithMessage("*MaxReceiveMessageSize*");
    }

    [Theory]
    [InlineData(nameof(GrpcChannelOptions.MaxReceiveMessageSize))]
    [InlineData(nameof(GrpcChannelOptions.KeepAlivePingDelay))]
    [InlineData(nameof(GrpcChannelOptions.ConnectTimeout))]
    public void An_invalid_channel_option_is_reported_by_name(string property)
    {
        var options = new GrpcChannelOptions();
        switch (property)
        {
            case nameof(GrpcChannelOptions.MaxReceiveMessageSize): options.MaxReceiveMessageSize = -1; break;
            case nameof(GrpcChannelOptions.KeepAlivePingDelay): options.KeepAlivePingDelay = TimeSpan.FromMilliseconds(10); break;
            case nameof(GrpcChannelOptions.ConnectTimeout): options.ConnectTimeout = TimeSpan.Zero; break;
        }
        var act = () => GrpcChannel.ForAddress("http://127.0.0.1:1", options);
        act.Should().Throw<ArgumentException>().WithMessage($"*{property}*");
    }

    [Fact]
    public void A_channel_address_must_be_http_or_https()
    {
        var act = () => GrpcChannel.ForAddress("127.0.0.1:50051");
        act.Should().Throw<ArgumentException>().WithMessage("*http://*");
    }
}
