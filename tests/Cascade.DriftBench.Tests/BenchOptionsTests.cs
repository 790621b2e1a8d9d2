using Cascade.Bench.Drift;
using Cascade.Bench.Drift.Models;

namespace Cascade.DriftBench.Tests;

public class BenchOptionsTests
{
    [Fact]
    public void The_full_run_is_the_default()
    {
        var options = BenchOptions.Parse([]);

        options.Seeds.Should().Be(5);
        options.StationaryLength.Should().Be(1_000_000);
        options.Acceptances.Should().Equal(250, 1000);
        options.Model.Should().Be(ModelKind.NaiveBayes);
    }

    [Fact]
    public void Quick_shortens_the_run_unless_told_otherwise()
    {
        BenchOptions.Parse(["--quick"]).Seeds.Should().Be(1);
        BenchOptions.Parse(["--quick"]).StationaryLength.Should().Be(200_000);
        BenchOptions.Parse(["--quick", "--seeds", "3"]).Seeds.Should().Be(3);
    }

    [Fact]
    public void Filters_and_the_model_are_read()
    {
        var options = BenchOptions.Parse(["--streams", "sea, led", "--detectors", "adwin,cascade", "--model", "xgboost", "--acceptance", "500"]);

        options.Streams.Should().Equal("sea", "led");
        options.Detectors.Should().Equal("adwin", "cascade");
        options.Model.Should().Be(ModelKind.XGBoost);
        options.Acceptances.Should().Equal(500);
    }

    [Theory]
    [InlineData("--seeds", "0")]
    [InlineData("--model", "svm")]
    [InlineData("--variant", "no-file")]
    [InlineData("--variant", "calibrated=/nonexistent/calibrated.json")]
    [InlineData("--frobnicate", "1")]
    public void Bad_arguments_are_refused_with_the_reason(string option, string value)
    {
        var parse = () => BenchOptions.Parse([option, value]);

        parse.Should().Throw<ArgumentException>();
    }
}
