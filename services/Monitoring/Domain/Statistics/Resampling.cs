namespace Cascade.Monitoring.Domain.Statistics;

/// <summary>Draws counts for resampling: binomial and multinomial variates in time independent of the sample size.</summary>
public static class Resampling
{
    /// <summary>
    /// A Binomial(n, p) variate: by inversion when the mean (or its complement) is small, else by the normal
    /// approximation (exact enough once n·p and n·(1 − p) exceed 30, and what keeps a reference of millions of rows cheap).
    /// </summary>
    public static long Binomial(Random random, long n, double p)
    {
        if (n <= 0 || p <= 0) return 0;
        if (p >= 1) return n;
        if (p > 0.5) return n - Binomial(random, n, 1 - p);
        var mean = n * p;
        if (mean < 30)
        {
            // Inversion of the CDF, walking up from 0 with the pmf recurrence; O(mean) on average.
            var q = 1 - p;
            var probability = Math.Pow(q, n);
            var u = random.NextDouble();
            long k = 0;
            var cumulative = probability;
            while (u > cumulative && k < n)
            {
                probability *= (double)(n - k) / (k + 1) * p / q;
                k++;
                cumulative += probability;
                if (probability < 1e-300 && cumulative < u) break; // numerical floor: u sits in the last ulp of the CDF
            }
            return k;
        }
        var draw = Math.Round(mean + Math.Sqrt(mean * (1 - p)) * Gaussian(random));
        return (long)Math.Clamp(draw, 0, n);
    }

    /// <summary>Multinomial(n, probabilities) counts into <paramref name="counts"/>, by conditional binomials.</summary>
    public static void Multinomial(Random random, long n, ReadOnlySpan<double> probabilities, Span<long> counts)
    {
        var remaining = n;
        var mass = 1.0;
        for (var i = 0; i < probabilities.Length; i++)
        {
            if (i == probabilities.Length - 1)
            {
                counts[i] = remaining;
                break;
            }
            counts[i] = mass > 0 ? Binomial(random, remaining, Math.Min(1, probabilities[i] / mass)) : 0;
            remaining -= counts[i];
            mass -= probabilities[i];
        }
    }

    /// <summary>A standard normal variate (Box–Muller).</summary>
    public static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
