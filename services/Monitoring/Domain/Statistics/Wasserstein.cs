namespace Cascade.Monitoring.Domain.Statistics;

/// <summary>The Wasserstein-1 (earth mover's) distance between two one-dimensional empirical samples.</summary>
/// <remarks>
/// W₁ = ∫ |F_A(x) − F_B(x)| dx, the area between the two empirical CDFs, computed in one merge pass over the sorted
/// samples: between consecutive distinct values x₍ₖ₎ &lt; x₍ₖ₊₁₎ both CDFs are constant, so the integral is
/// Σₖ |F_A − F_B|·(x₍ₖ₊₁₎ − x₍ₖ₎). Equals <c>scipy.stats.wasserstein_distance(a, b)</c>. W₁ has the feature's units;
/// <see cref="Normalized"/> divides by the reference standard deviation so one threshold fits every feature.
/// </remarks>
public static class Wasserstein
{
    /// <summary>W₁ between two samples sorted ascending without NaN; NaN when either is empty.</summary>
    public static double Distance(ReadOnlySpan<double> sortedA, ReadOnlySpan<double> sortedB)
    {
        if (sortedA.IsEmpty || sortedB.IsEmpty)
        {
            return double.NaN;
        }
        double n = sortedA.Length, m = sortedB.Length;
        int i = 0, j = 0;
        var distance = 0.0;
        var previous = Math.Min(sortedA[0], sortedB[0]);
        while (i < sortedA.Length || j < sortedB.Length)
        {
            var x = i == sortedA.Length ? sortedB[j]
                : j == sortedB.Length ? sortedA[i]
                : Math.Min(sortedA[i], sortedB[j]);
            // The CDFs as they stood on [previous, x): counts strictly below x.
            distance += Math.Abs(i / n - j / m) * (x - previous);
            while (i < sortedA.Length && sortedA[i] <= x) i++;
            while (j < sortedB.Length && sortedB[j] <= x) j++;
            previous = x;
        }
        return distance;
    }

    /// <summary>
    /// W₁ in units of the reference standard deviation. A constant reference feature (σ = 0) has no scale: any movement
    /// of it is infinitely far (+∞), none is 0.
    /// </summary>
    public static double Normalized(double distance, double referenceStd)
    {
        if (double.IsNaN(distance) || double.IsNaN(referenceStd))
        {
            return double.NaN;
        }
        if (referenceStd > 0)
        {
            return distance / referenceStd;
        }
        return distance > 0 ? double.PositiveInfinity : 0;
    }
}
