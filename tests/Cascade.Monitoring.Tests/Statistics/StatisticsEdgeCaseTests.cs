using Cascade.Monitoring.Domain.Statistics;

namespace Cascade.Monitoring.Tests.Statistics;

public class StatisticsEdgeCaseTests
{
    [Fact]
    public void Identical_distributions_have_zero_distance_on_every_statistic()
    {
        long[] counts = [10, 20, 30, 0, 5];
        double[] sample = [1, 2, 2, 3, 7];

        PopulationStabilityIndex.Compute(counts, counts).Should().Be(0);
        JensenShannon.Distance(counts, counts).Should().Be(0);
        KolmogorovSmirnov.TwoSample(sample, sample).Should().Be(new KsResult(0, 1));
        Wasserstein.Distance(sample, sample).Should().Be(0);
    }

    [Fact]
    public void An_empty_side_makes_every_statistic_undefined_rather_than_zero()
    {
        long[] counts = [1, 2, 3];
        PopulationStabilityIndex.Compute(counts, [0, 0, 0]).Should().Be(double.NaN);
        JensenShannon.Distance([0, 0, 0], counts).Should().Be(double.NaN);
        KolmogorovSmirnov.TwoSample([], [1.0]).IsDefined.Should().BeFalse();
        Wasserstein.Distance([1.0], []).Should().Be(double.NaN);
    }

    [Fact]
    public void Psi_floors_an_empty_bin_at_epsilon_instead_of_becoming_infinite()
    {
        // Reference: half the mass in each value bin, none missing; current: everything missing.
        var psi = PopulationStabilityIndex.Compute([50, 50, 0], [0, 0, 10], epsilon: 1e-4);

        var expected = 2 * (1e-4 - 0.5) * Math.Log(1e-4 / 0.5) + (1 - 1e-4) * Math.Log(1 / 1e-4);
        psi.Should().BeApproximately(expected, 1e-12);
        double.IsFinite(psi).Should().BeTrue();
    }

    [Fact]
    public void Jensen_shannon_of_disjoint_distributions_is_exactly_one()
    {
        JensenShannon.Distance([5, 0, 0], [0, 3, 9]).Should().BeApproximately(1, 1e-15);
    }

    [Fact]
    public void Disjoint_samples_have_ks_statistic_one_and_a_tiny_p_value()
    {
        var ks = KolmogorovSmirnov.TwoSample([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10], [11.0, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
        ks.Statistic.Should().Be(1);
        ks.PValue.Should().BeLessThan(1e-3);
    }

    [Fact]
    public void Normalized_wasserstein_is_scale_free_and_infinite_when_a_constant_feature_moves()
    {
        double[] a = [0, 1, 2, 3], b = [1, 2, 3, 4];
        var w = Wasserstein.Distance(a, b);
        var scaled = Wasserstein.Distance(a.Select(v => v * 1000).ToArray(), b.Select(v => v * 1000).ToArray());

        Wasserstein.Normalized(w, 2).Should().BeApproximately(Wasserstein.Normalized(scaled, 2000), 1e-12);
        Wasserstein.Normalized(0.5, 0).Should().Be(double.PositiveInfinity);
        Wasserstein.Normalized(0, 0).Should().Be(0);
    }

    [Fact]
    public void Binning_sends_values_on_an_edge_to_the_bin_the_edge_opens_and_nan_to_the_missing_bin()
    {
        double[] edges = [1, 2];
        Binning.BinOf(edges, 0.5).Should().Be(0);
        Binning.BinOf(edges, 1).Should().Be(1);
        Binning.BinOf(edges, 1.9).Should().Be(1);
        Binning.BinOf(edges, 2).Should().Be(2);
        Binning.BinOf(edges, 1e300).Should().Be(2);
        Binning.BinOf(edges, double.NaN).Should().Be(3);
    }

    [Fact]
    public void Sort_present_drops_missing_values_and_sorts_in_place_without_allocating()
    {
        float[] values = [3, float.NaN, 1, 2, float.NaN];
        var buffer = new double[values.Length];
        // A first call may allocate once for JIT and static initialization; the steady state must not.
        Samples.SortPresent(values, new double[values.Length]);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var count = Samples.SortPresent(values, buffer);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        count.Should().Be(3);
        buffer[..count].Should().Equal(1, 2, 3);
        allocated.Should().Be(0);
    }
}
