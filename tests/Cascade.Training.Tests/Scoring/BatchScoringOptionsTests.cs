using Cascade.Hosting;
using Cascade.Training.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cascade.Training.Tests.Scoring;

public sealed class BatchScoringOptionsTests
{
    [Fact]
    public void The_defaults_try_cuda_on_device_0_for_gpu_jobs()
    {
        var options = new TrainingServiceOptions().Scoring;

        options.ExecutionProvider.Should().Be(ScoringExecutionProvider.Auto);
        options.CudaDevice.Should().Be(0);
        BatchScoringOptions.SectionName.Should().Be("Cascade:Training:Scoring");
    }

    [Fact]
    public void The_section_binds_under_the_training_options_whatever_the_case()
    {
        var options = Bind(new() { ["Cascade:Training:Scoring:ExecutionProvider"] = "cuda", ["Cascade:Training:Scoring:CudaDevice"] = "1" });

        options.Scoring.ExecutionProvider.Should().Be(ScoringExecutionProvider.Cuda);
        options.Scoring.CudaDevice.Should().Be(1);
    }

    [Theory]
    [InlineData("ExecutionProvider", "gpu")]
    [InlineData("CudaDevice", "-1")]
    [InlineData("CudaDevice", "64")]
    public void A_value_it_cannot_use_stops_the_start_naming_its_key(string key, string value)
    {
        var bind = () => Bind(new() { [$"Cascade:Training:Scoring:{key}"] = value });

        bind.Should().Throw<OptionsValidationException>().WithMessage($"*Cascade:Training:Scoring:{key}*");
    }

    private static TrainingServiceOptions Bind(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services.AddValidatedOptions<TrainingServiceOptions>(TrainingServiceOptions.SectionName);
    }
}
