using Cascade.Hosting;
using Cascade.Registry.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cascade.Registry.Tests.Retention;

public sealed class RetentionOptionsTests
{
    private static IServiceCollection Services(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services;
    }

    [Fact]
    public void The_defaults_keep_ten_versions_and_a_week_and_collect_every_ten_minutes()
    {
        var options = new RetentionOptions();
        options.KeepNewest.Should().Be(10);
        options.KeepYoungerThan.Should().Be(TimeSpan.FromDays(7));
        options.Interval.Should().Be(TimeSpan.FromMinutes(10));
        RetentionOptions.SectionName.Should().Be("Cascade:Registry:Retention");
    }

    [Fact]
    public void The_section_binds_and_zero_turns_the_collector_off()
    {
        var options = Services(new() { ["Cascade:Registry:Retention:KeepNewest"] = "3", ["Cascade:Registry:Retention:KeepYoungerThan"] = "1.00:00:00", ["Cascade:Registry:Retention:Interval"] = "00:00:00" })
            .AddValidatedOptions<RetentionOptions>(RetentionOptions.SectionName, rules: RetentionOptions.Rules);

        options.KeepNewest.Should().Be(3);
        options.KeepYoungerThan.Should().Be(TimeSpan.FromDays(1));
        options.Interval.Should().Be(TimeSpan.Zero);
    }

    [Theory]
    [InlineData("KeepNewest", "0")]
    [InlineData("KeepYoungerThan", "-1.00:00:00")]
    [InlineData("Interval", "00:00:00.100")]
    public void A_value_outside_its_range_stops_the_start_naming_its_key(string key, string value)
    {
        var act = () => Services(new() { [$"Cascade:Registry:Retention:{key}"] = value })
            .AddValidatedOptions<RetentionOptions>(RetentionOptions.SectionName, rules: RetentionOptions.Rules);

        act.Should().Throw<OptionsValidationException>().WithMessage($"*{key}*");
    }
}
