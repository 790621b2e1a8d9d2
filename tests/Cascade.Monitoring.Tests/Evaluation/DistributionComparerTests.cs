using Cascade.Monitoring.Domain.Alerts;
using Cascade.Monitoring.Domain.Evaluation;
using Cascade.Monitoring.Options;
using Cascade.Monitoring.Tests.Fixtures;

namespace Cascade.Monitoring.Tests.Evaluation;

public class DistributionComparerTests
{
    private readonly DistributionComparer comparer = new(new DriftThresholdOptions());

    [Fact]
    public void A_constant_feature_that_stays_constant_does_not_drift_and_one_that_moves_does()
    {
        var reference = new ReferenceDistribution(Profiler.Profile("flag", Enumerable.Repeat(3f, 5_000).ToArray()));

        var same = comparer.Compare(reference, Enumerable.Repeat(3f, 500).ToArray());
        var moved = comparer.Compare(reference, Enumerable.Repeat(3f, 400).Concat(Enumerable.Repeat(4f, 100)).ToArray());

        same.Severity.Should().Be(AlertSeverity.None);
        (same.Psi, same.KsStatistic, same.Wasserstein, same.NormalizedWasserstein).Should().Be((0, 0, 0, 0));
        moved.Severity.Should().Be(AlertSeverity.Critical);
        moved.Psi.Should().BeGreaterThan(0.25, "the training range closes the open top bin, so values above it are seen");
        moved.NormalizedWasserstein.Should().Be(double.PositiveInfinity, "a constant has no scale: any movement is infinitely far");
    }

    [Fact]
    public void A_window_drawn_from_the_reference_distribution_does_not_drift()
    {
        var draw = new Draw(31);
        var reference = new ReferenceDistribution(Profiler.Profile("x", draw.Normals(20_000).Select(v => (float)v).ToArray()));

        var drift = comparer.Compare(reference, draw.Normals(500).Select(v => (float)v).ToArray());

        drift.Severity.Should().Be(AlertSeverity.None);
        drift.MissingRate.Should().Be(0);
        drift.Evidence.Should().BeNull();
    }

    [Fact]
    public void Values_beyond_the_training_range_leave_the_outer_quantile_bins()
    {
        var draw = new Draw(33);
        var reference = new ReferenceDistribution(Profiler.Profile("x", draw.Normals(20_000).Select(v => (float)v).ToArray()));
        var window = draw.Normals(450).Concat(Enumerable.Repeat(50.0, 50)).Select(v => (float)v).ToArray();

        var drift = comparer.Compare(reference, window);

        reference.Edges.Should().HaveCount(11, "nine deciles plus the training minimum and maximum");
        reference.Counts[0].Should().Be(0);
        reference.Counts[^2].Should().Be(0);
        drift.Psi.Should().BeGreaterThan(0.25, "10% of the window sits in a bin the training data never reached");
    }

    [Fact]
    public void After_warm_up_a_comparison_allocates_only_its_result()
    {
        var draw = new Draw(32);
        var reference = new ReferenceDistribution(Profiler.Profile("x", draw.Normals(20_000).Select(v => (float)v).ToArray()));
        var window = draw.Normals(500, 1).Select(v => (float)v).ToArray();
        comparer.Compare(reference, window);

        var before = GC.GetAllocatedBytesForCurrentThread();
        comparer.Compare(reference, window);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.Should().BeLessThan(512, "the buffers for binning and sorting are reused");
    }
}
