namespace Cascade.Monitoring.Domain.Statistics;

/// <summary>Jensen–Shannon distance (base 2, in [0, 1]) between two binned distributions.</summary>
/// <remarks>
/// JS(P, Q) = √( ½·KL(P‖M) + ½·KL(Q‖M) ) with M = ½(P + Q) and base-2 logarithms, which bounds it by 1 (disjoint
/// supports). It is the square root of the divergence, hence a metric, and it equals
/// <c>scipy.spatial.distance.jensenshannon(p, q, base=2)</c>. Counts are normalised to proportions first. No smoothing
/// is needed: wherever P or Q is positive M is too, and empty bins contribute 0·log 0 = 0.
/// </remarks>
public static class JensenShannon
{
    /// <summary>The distance between two count vectors over the same bins; NaN when either side is empty.</summary>
    public static double Distance(ReadOnlySpan<long> p, ReadOnlySpan<long> q)
    {
        if (p.Length != q.Length)
        {
            throw new ArgumentException("Both distributions need the same bins.", nameof(q));
        }
        var pTotal = PopulationStabilityIndex.Sum(p);
        var qTotal = PopulationStabilityIndex.Sum(q);
        if (pTotal == 0 || qTotal == 0)
        {
            return double.NaN;
        }
        var divergence = 0.0;
        for (var i = 0; i < p.Length; i++)
        {
            var pi = (double)p[i] / pTotal;
            var qi = (double)q[i] / qTotal;
            var mi = 0.5 * (pi + qi);
            if (pi > 0) divergence += pi * Math.Log2(pi / mi);
            if (qi > 0) divergence += qi * Math.Log2(qi / mi);
        }
        // Rounding can leave a hair below zero when P = Q.
        return Math.Sqrt(Math.Clamp(0.5 * divergence, 0, 1));
    }
}
