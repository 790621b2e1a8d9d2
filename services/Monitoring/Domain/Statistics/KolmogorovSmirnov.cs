namespace Cascade.Monitoring.Domain.Statistics;

/// <summary>The two-sample Kolmogorov–Smirnov statistic D and its asymptotic p-value.</summary>
/// <remarks>
/// D = supₓ |F_A(x) − F_B(x)| over the empirical CDFs of the two samples, evaluated after all values equal to x on
/// either side have been counted (ties move both CDFs together), which equals <c>scipy.stats.ks_2samp</c>'s statistic.
/// The p-value is Kolmogorov's limit distribution: p = Q_KS(√nₑ · D) with nₑ = n·m / (n + m)
/// (<c>scipy.special.kolmogorov</c>). It is conservative for finite samples and for discrete data (ties make D smaller
/// than for continuous data), which suits an alerting threshold: errors go toward fewer false alarms.
/// </remarks>
public static class KolmogorovSmirnov
{
    /// <summary>D and its p-value for two samples sorted ascending without NaN; undefined when either is empty.</summary>
    public static KsResult TwoSample(ReadOnlySpan<double> sortedA, ReadOnlySpan<double> sortedB)
    {
        if (sortedA.IsEmpty || sortedB.IsEmpty)
        {
            return KsResult.Undefined;
        }
        var d = Statistic(sortedA, sortedB);
        return new KsResult(d, AsymptoticPValue(d, sortedA.Length, sortedB.Length));
    }

    /// <summary>The statistic D of two samples sorted ascending without NaN.</summary>
    public static double Statistic(ReadOnlySpan<double> sortedA, ReadOnlySpan<double> sortedB)
    {
        if (sortedA.IsEmpty || sortedB.IsEmpty)
        {
            return double.NaN;
        }
        double n = sortedA.Length, m = sortedB.Length;
        int i = 0, j = 0;
        var d = 0.0;
        // Once either sample is used up its CDF is 1 and the gap can only shrink, so the loop may stop there.
        while (i < sortedA.Length && j < sortedB.Length)
        {
            var x = Math.Min(sortedA[i], sortedB[j]);
            while (i < sortedA.Length && sortedA[i] <= x) i++;
            while (j < sortedB.Length && sortedB[j] <= x) j++;
            d = Math.Max(d, Math.Abs(i / n - j / m));
        }
        return d;
    }

    /// <summary>The asymptotic two-sided p-value of D for sample sizes <paramref name="n"/> and <paramref name="m"/>.</summary>
    public static double AsymptoticPValue(double d, int n, int m)
    {
        if (n <= 0 || m <= 0 || double.IsNaN(d))
        {
            return double.NaN;
        }
        var effective = (double)n * m / ((double)n + m);
        return KolmogorovSurvival(Math.Sqrt(effective) * d);
    }

    /// <summary>Q_KS(λ) = P(K &gt; λ) for Kolmogorov's distribution K.</summary>
    /// <remarks>
    /// Two series, each used where it converges in a handful of terms (the switch at 1.18 follows Numerical Recipes):
    /// for small λ, 1 − (√(2π)/λ)·Σₖ exp(−(2k−1)²π²/(8λ²)); for large λ, 2·Σₖ (−1)^(k−1)·exp(−2k²λ²).
    /// </remarks>
    public static double KolmogorovSurvival(double lambda)
    {
        if (double.IsNaN(lambda)) return double.NaN;
        if (lambda <= 0) return 1;
        if (lambda < 1.18)
        {
            var factor = -Math.PI * Math.PI / (8 * lambda * lambda);
            var sum = 0.0;
            for (var k = 1; k < 100; k++)
            {
                var odd = 2 * k - 1;
                var term = Math.Exp(factor * odd * odd);
                sum += term;
                if (term <= 1e-17 * sum) break;
            }
            return Math.Clamp(1 - Math.Sqrt(2 * Math.PI) / lambda * sum, 0, 1);
        }
        var tail = 0.0;
        var sign = 1.0;
        for (var k = 1; k < 100; k++)
        {
            var term = Math.Exp(-2.0 * k * k * lambda * lambda);
            tail += sign * term;
            if (term <= 1e-17 * tail) break;
            sign = -sign;
        }
        return Math.Clamp(2 * tail, 0, 1);
    }
}
