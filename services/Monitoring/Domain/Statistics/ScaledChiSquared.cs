namespace Cascade.Monitoring.Domain.Statistics;

/// <summary>
/// A scaled chi-squared distribution s·χ²(d) fitted by its first two moments (Satterthwaite's approximation), used as
/// the tail model of a drift statistic's no-drift distribution.
/// </summary>
/// <remarks>
/// Why this family: under no drift PSI is asymptotically (1/n + 1/N)·χ²(bins − 1) and the squared Jensen–Shannon
/// distance a fixed multiple of it, so for them the fit is the asymptotic law itself, with the scale and degrees of
/// freedom taken from resamples instead of formulas that ignore empty bins, the proportion floor and discrete values.
/// For the squared Wasserstein distance it is an approximation whose exponential tail matches that of the squared norm
/// of a Gaussian process; <c>ThresholdCalibrationTests</c> checks the resulting rates by simulation.
/// </remarks>
public readonly record struct ScaledChiSquared(double Scale, double DegreesOfFreedom)
{
    /// <summary>The fit to a sample's mean and variance; null when the sample has no spread (a constant statistic).</summary>
    public static ScaledChiSquared? FitMoments(ReadOnlySpan<double> values)
    {
        if (values.Length < 2) return null;
        double sum = 0;
        foreach (var v in values) sum += v;
        var mean = sum / values.Length;
        double squares = 0;
        foreach (var v in values) squares += (v - mean) * (v - mean);
        var variance = squares / (values.Length - 1);
        if (!(mean > 0) || !(variance > 0)) return null;
        return new ScaledChiSquared(variance / (2 * mean), 2 * mean * mean / variance);
    }

    /// <summary>P(X ≥ x).</summary>
    public double Survival(double x) => IncompleteGamma.UpperRegularized(DegreesOfFreedom / 2, x / (2 * Scale));

    /// <summary>The x with P(X ≥ x) = <paramref name="tailProbability"/>, by bisection (Survival is monotone).</summary>
    public double UpperQuantile(double tailProbability)
    {
        if (!(tailProbability > 0 && tailProbability < 1)) throw new ArgumentOutOfRangeException(nameof(tailProbability));
        double low = 0, high = Math.Max(1, 2 * DegreesOfFreedom) * Scale;
        while (Survival(high) > tailProbability) high *= 2;
        for (var i = 0; i < 200 && high - low > 1e-12 * high; i++)
        {
            var middle = (low + high) / 2;
            if (Survival(middle) > tailProbability) low = middle; else high = middle;
        }
        return high;
    }
}
