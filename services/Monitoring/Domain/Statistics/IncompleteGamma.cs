namespace Cascade.Monitoring.Domain.Statistics;

/// <summary>The regularised upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a): the chi-squared survival function's core.</summary>
/// <remarks>
/// The series for P(a, x) when x &lt; a + 1 and Lentz's continued fraction for Q(a, x) otherwise (Numerical Recipes
/// §6.2), each where it converges fast; both carry the prefactor e^(−x)·x^a / Γ(a) in logarithms, so a p-value as small
/// as 10⁻³⁰⁰ is computed to full relative precision instead of underflowing through an intermediate.
/// </remarks>
public static class IncompleteGamma
{
    private const int MaxIterations = 100_000;
    private const double Epsilon = 1e-16;
    private const double Tiny = 1e-300;

    /// <summary>Q(a, x) for a &gt; 0, x ≥ 0.</summary>
    public static double UpperRegularized(double a, double x)
    {
        if (!(a > 0) || double.IsNaN(x)) return double.NaN;
        if (x <= 0) return 1;
        if (double.IsPositiveInfinity(x)) return 0;
        var logPrefactor = -x + a * Math.Log(x) - LogGamma(a);
        return x < a + 1 ? 1 - Math.Exp(logPrefactor) * Series(a, x) : Math.Exp(logPrefactor) * ContinuedFraction(a, x);
    }

    /// <summary>Σ xⁿ / (a (a+1) … (a+n)): P(a, x) divided by the prefactor.</summary>
    private static double Series(double a, double x)
    {
        double term = 1 / a, sum = term;
        for (var n = 1; n < MaxIterations; n++)
        {
            term *= x / (a + n);
            sum += term;
            if (Math.Abs(term) < Math.Abs(sum) * Epsilon) return sum;
        }
        return sum;
    }

    /// <summary>The continued fraction 1 / (x + 1 − a − 1·(1 − a) / (x + 3 − a − …)): Q(a, x) divided by the prefactor.</summary>
    private static double ContinuedFraction(double a, double x)
    {
        var b = x + 1 - a;
        var c = 1 / Tiny;
        var d = 1 / b;
        var h = d;
        for (var i = 1; i < MaxIterations; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.Abs(d) < Tiny) d = Tiny;
            c = b + an / c;
            if (Math.Abs(c) < Tiny) c = Tiny;
            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < Epsilon) break;
        }
        return h;
    }

    /// <summary>ln Γ(a) for a &gt; 0 (Lanczos, g = 7, 9 terms: about 15 significant digits).</summary>
    public static double LogGamma(double a)
    {
        if (a < 0.5) return Math.Log(Math.PI / Math.Sin(Math.PI * a)) - LogGamma(1 - a); // reflection
        a -= 1;
        var sum = Lanczos[0];
        for (var i = 1; i < Lanczos.Length; i++) sum += Lanczos[i] / (a + i);
        var t = a + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (a + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }

    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];
}
