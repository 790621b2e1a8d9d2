using Cascade.Features.Options;
using Cascade.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cascade.Features.Tests.Retention;

public sealed class OfflineRetentionOptionsTests
{
    private static OfflineRetentionOptions Bind(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services.AddValidatedOptions<OfflineRetentionOptions>(OfflineRetentionOptions.SectionName, rules: OfflineRetentionOptions.Rules);
    }

    [Fact]
    public void The_defaults_delete_nothing_and_would_pass_hourly_in_batches_of_a_thousand()
    {
        var options = new OfflineRetentionOptions();
        (options.MaxAge, options.KeepNewestRows).Should().Be((TimeSpan.Zero, 0));
        options.Enabled.Should().BeFalse();
        options.Interval.Should().Be(TimeSpan.FromHours(1));
        options.BatchSize.Should().Be(1_000);
        options.RegistryTimeout.Should().Be(TimeSpan.FromSeconds(30));
        OfflineRetentionOptions.SectionName.Should().Be("Cascade:Features:Retention");
    }

    [Fact]
    public void The_section_binds_and_either_rule_turns_retention_on()
    {
        var options = Bind(new() { ["Cascade:Features:Retention:MaxAge"] = "30.00:00:00", ["Cascade:Features:Retention:Interval"] = "00:05:00", ["Cascade:Features:Retention:BatchSize"] = "500" });

        (options.MaxAge, options.Interval, options.BatchSize, options.Enabled).Should().Be((TimeSpan.FromDays(30), TimeSpan.FromMinutes(5), 500, true));
        Bind(new() { ["Cascade:Features:Retention:KeepNewestRows"] = "100000" }).Enabled.Should().BeTrue();
    }

    [Theory]
    [InlineData("MaxAge", "-1.00:00:00")]
    [InlineData("KeepNewestRows", "-1")]
    [InlineData("Interval", "00:00:00.100")]
    [InlineData("BatchSize", "0")]
    [InlineData("RegistryTimeout", "00:00:00")]
    public void A_value_outside_its_range_stops_the_start_naming_its_key(string key, string value)
    {
        var act = () => Bind(new() { [$"Cascade:Features:Retention:{key}"] = value });

        act.Should().Throw<OptionsValidationException>().WithMessage($"*{key}*");
    }
}
