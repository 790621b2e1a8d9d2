namespace Cascade.Monitoring.Domain.Statistics;

/// <summary>A chi-squared test's statistic, degrees of freedom and p-value; NaN and 0 when the test is undefined.</summary>
public readonly record struct ChiSquaredResult(double Statistic, int DegreesOfFreedom, double PValue)
{
    public static readonly ChiSquaredResult Undefined = new(double.NaN, 0, double.NaN);
}

/// <summary>Pearson's chi-squared test of homogeneity: do two samples of counts over the same categories come from one distribution?</summary>
/// <remarks>
/// The 2 × K contingency table (reference counts; window counts) against the counts expected if both rows shared one
/// distribution, Eᵢⱼ = rowᵢ · columnⱼ / N: χ² = Σ (Oᵢⱼ − Eᵢⱼ)² / Eᵢⱼ with K' − 1 degrees of freedom, K' the categories
/// that occur on either side (a category empty on both has no expected count and is left out, as scipy refuses a zero
/// expected frequency). Without Yates' continuity correction: it equals
/// <c>scipy.stats.chi2_contingency(table, correction=False)</c>. The approximation wants expected counts of about 5 or
/// more; <see cref="CategoryPooling"/> merges rarer categories before the test.
/// </remarks>
public static class ChiSquared
{
    /// <summary>The test on two count vectors over the same categories; undefined when either side is empty or fewer than two categories occur.</summary>
    public static ChiSquaredResult Homogeneity(ReadOnlySpan<long> reference, ReadOnlySpan<long> window)
    {
        if (reference.Length != window.Length) throw new ArgumentException("Both samples need the same categories.", nameof(window));
        double referenceTotal = PopulationStabilityIndex.Sum(reference), windowTotal = PopulationStabilityIndex.Sum(window);
        if (referenceTotal == 0 || windowTotal == 0) return ChiSquaredResult.Undefined;
        var total = referenceTotal + windowTotal;
        var statistic = 0.0;
        var categories = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            double column = reference[i] + window[i];
            if (column == 0) continue;
            categories++;
            var expectedReference = referenceTotal * column / total;
            var expectedWindow = windowTotal * column / total;
            statistic += Square(reference[i] - expectedReference) / expectedReference + Square(window[i] - expectedWindow) / expectedWindow;
        }
        if (categories < 2) return ChiSquaredResult.Undefined;
        var freedom = categories - 1;
        return new ChiSquaredResult(statistic, freedom, Survival(statistic, freedom));
    }

    /// <summary>P(X ≥ <paramref name="statistic"/>) for X ~ χ²(<paramref name="degreesOfFreedom"/>).</summary>
    public static double Survival(double statistic, int degreesOfFreedom) => IncompleteGamma.UpperRegularized(degreesOfFreedom / 2.0, statistic / 2);

    private static double Square(double x) => x * x;
}
