using Cascade.Monitoring.Tests.Fixtures;

namespace Cascade.Monitoring.Tests.Detectors;

/// <summary>Synthetic per-example loss streams in [0, 1].</summary>
internal static class LossStreams
{
    /// <summary>0/1 errors with the given error rate per position (the classic input of ADWIN and Page–Hinkley).</summary>
    public static IEnumerable<double> Errors(Draw draw, int length, Func<int, double> rate)
    {
        for (var i = 0; i < length; i++) yield return draw.Bernoulli(rate(i)) ? 1 : 0;
    }

    /// <summary>Continuous losses in [0, 1] like Brier scores: Beta with the given mean per position and concentration 4
    /// (variance μ(1 − μ)/5, 0.032 at μ = 0.2).</summary>
    public static IEnumerable<double> Losses(Draw draw, int length, Func<int, double> mean)
    {
        for (var i = 0; i < length; i++) yield return draw.Beta(mean(i), 4);
    }

    /// <summary>Positions (0-based) at which <paramref name="update"/> returned true.</summary>
    public static List<int> Detections(IEnumerable<double> stream, Func<double, bool> update)
    {
        var hits = new List<int>();
        var i = 0;
        foreach (var value in stream)
        {
            if (update(value)) hits.Add(i);
            i++;
        }
        return hits;
    }
}
