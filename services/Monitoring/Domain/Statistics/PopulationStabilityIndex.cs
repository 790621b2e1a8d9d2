namespace Cascade.Monitoring.Domain.Statistics;

/// <summary>Population Stability Index between a reference and a current binned distribution.</summary>
/// <remarks>
/// PSI = Σᵢ (aᵢ − eᵢ) · ln(aᵢ / eᵢ), where eᵢ and aᵢ are the reference ("expected") and current ("actual")
/// proportions of bin i. It is the symmetrised Kullback–Leibler divergence KL(a‖e) + KL(e‖a), so it is ≥ 0 and 0 only
/// when the distributions agree. Rules of thumb: &lt; 0.1 stable, 0.1–0.25 moderate shift, ≥ 0.25 major shift.
/// <para>Empty bins: ln(a/0) is infinite, so each proportion is floored at ε (default 10⁻⁴) before the sum. Flooring is
/// preferred to additive (Laplace) smoothing because it leaves populated bins untouched; the floored proportions no
/// longer sum to exactly 1, which is harmless because every term (a − e)·ln(a/e) stays ≥ 0 on its own. A bin empty on
/// both sides contributes exactly 0, so the explicit missing bin costs nothing when neither side has missing values.</para>
/// </remarks>
public static class PopulationStabilityIndex
{
    /// <summary>The floor applied to bin proportions.</summary>
    public const double DefaultEpsilon = 1e-4;

    /// <summary>PSI of <paramref name="actual"/> counts against <paramref name="expected"/> counts over the same bins; NaN when either side is empty.</summary>
    public static double Compute(ReadOnlySpan<long> expected, ReadOnlySpan<long> actual, double epsilon = DefaultEpsilon)
    {
        if (expected.Length != actual.Length)
        {
            throw new ArgumentException("Both distributions need the same bins.", nameof(actual));
        }
        if (!(epsilon > 0 && epsilon < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Epsilon must lie in (0, 1).");
        }
        var expectedTotal = Sum(expected);
        var actualTotal = Sum(actual);
        if (expectedTotal == 0 || actualTotal == 0)
        {
            return double.NaN;
        }
        var psi = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            var e = Math.Max((double)expected[i] / expectedTotal, epsilon);
            var a = Math.Max((double)actual[i] / actualTotal, epsilon);
            psi += (a - e) * Math.Log(a / e);
        }
        return psi;
    }

    internal static long Sum(ReadOnlySpan<long> counts)
    {
        long total = 0;
        foreach (var count in counts)
        {
            if (count < 0) throw new ArgumentException("Counts cannot be negative.", nameof(counts));
            total += count;
        }
        return total;
    }
}
