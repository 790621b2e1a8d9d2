using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Cascade.Hosting.Tests;

/// <summary>
/// A service reads <c>appsettings.json</c> once and does not watch it: watching meant a recursive watch of the content
/// root (the working directory, in the local deployment the repository with the servers' data below), a thread woken
/// by every write there. An operator who wants the reload passes the host's own switch.
/// </summary>
public sealed class ConfigurationWatchTests
{
    [Fact]
    public async Task Appsettings_files_are_not_watched_by_default()
    {
        var sources = await JsonSourcesAsync([]);

        sources.Should().NotBeEmpty("the host still reads appsettings.json");
        sources.Should().OnlyContain(s => !s.ReloadOnChange);
    }

    [Fact]
    public async Task The_host_switch_turns_the_watch_back_on()
    {
        var sources = await JsonSourcesAsync(["--hostBuilder:reloadConfigOnChange=true"]);

        sources.Should().Contain(s => s.ReloadOnChange);
    }

    private static async Task<IReadOnlyList<FileConfigurationSource>> JsonSourcesAsync(string[] args)
    {
        var data = Directory.CreateTempSubdirectory("cascade-config-watch-").FullName;
        try
        {
            var options = new ServiceHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = data };
            await using var host = ServiceHost.Build(options, [], (_, _) => { }, args: args);
            var configuration = (IConfigurationRoot)host.Services.GetRequiredService<IConfiguration>();
            return configuration.Providers.OfType<JsonConfigurationProvider>().Select(p => p.Source).ToArray();
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
