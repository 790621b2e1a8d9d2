namespace Cascade.Monitoring.Domain.Statistics;

/// <summary>
/// The one-sided two-proportion z-test: is the rate of the second sample higher than the first's? With the pooled
/// rate p̄, z = (p₂ − p₁) / √(p̄(1 − p̄)(1/n₁ + 1/n₂)) and the p-value is P(Z ≥ z) for a standard normal Z, which is
/// ½·Q(½, z²/2) for z ≥ 0 (Q the regularized upper incomplete gamma function), as <c>scipy.stats.norm.sf(z)</c>.
/// </summary>
public static class TwoProportions
{
    /// <summary>P(Z ≥ z) for the rise from <paramref name="events1"/> of <paramref name="n1"/> to <paramref name="events2"/>
    /// of <paramref name="n2"/>; 1 when there is no variation to test (no events, or only events, in both); NaN when a sample is empty.</summary>
    public static double RiseP(long events1, long n1, long events2, long n2)
    {
        if (n1 <= 0 || n2 <= 0) return double.NaN;
        var pooled = (double)(events1 + events2) / (n1 + n2);
        if (pooled is 0 or 1) return 1;
        var z = ((double)events2 / n2 - (double)events1 / n1) / Math.Sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2));
        return NormalSurvival(z);
    }

    /// <summary>P(Z ≥ z) for a standard normal Z.</summary>
    public static double NormalSurvival(double z)
    {
        var tail = 0.5 * IncompleteGamma.UpperRegularized(0.5, z * z / 2); // P(Z ≥ |z|)
        return z >= 0 ? tail : 1 - tail;
    }
}
