namespace Cascade.Monitoring.Domain.Statistics;

/// <summary>
/// Merges the categories too rare for the chi-squared approximation into one, before the test (Cochran's rule: every
/// expected count at least about 5). A category is rare when the reference share of it would put fewer than
/// <c>minExpected</c> rows of the window in it; rare categories are added up into one pooled category, and if even
/// that is rare it joins the smallest of the others. A category new to the window (reference count 0, such as values
/// outside the vocabulary) is rare by this rule, so its rows stay in the pooled category, where they still move the test.
/// </summary>
public static class CategoryPooling
{
    /// <summary>The pooled counts of both sides, written into the start of <paramref name="pooledReference"/> and <paramref name="pooledWindow"/>; returns how many categories remain.</summary>
    public static int Pool(ReadOnlySpan<long> reference, ReadOnlySpan<long> window, double minExpected, Span<long> pooledReference, Span<long> pooledWindow)
    {
        if (reference.Length != window.Length) throw new ArgumentException("Both samples need the same categories.", nameof(window));
        if (pooledReference.Length < reference.Length || pooledWindow.Length < reference.Length) throw new ArgumentException("The pooled spans are too short.");
        double referenceTotal = PopulationStabilityIndex.Sum(reference), windowTotal = PopulationStabilityIndex.Sum(window);
        var kept = 0;
        long rareReference = 0, rareWindow = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            var expected = referenceTotal > 0 ? windowTotal * reference[i] / referenceTotal : 0;
            if (expected >= minExpected)
            {
                pooledReference[kept] = reference[i];
                pooledWindow[kept] = window[i];
                kept++;
            }
            else
            {
                rareReference += reference[i];
                rareWindow += window[i];
            }
        }
        if (rareReference + rareWindow == 0) return kept;
        var pooledExpected = referenceTotal > 0 ? windowTotal * rareReference / referenceTotal : 0;
        if (pooledExpected >= minExpected || kept == 0)
        {
            pooledReference[kept] = rareReference;
            pooledWindow[kept] = rareWindow;
            return kept + 1;
        }
        var smallest = 0;
        for (var i = 1; i < kept; i++)
        {
            if (pooledReference[i] < pooledReference[smallest]) smallest = i;
        }
        pooledReference[smallest] += rareReference;
        pooledWindow[smallest] += rareWindow;
        return kept;
    }
}
