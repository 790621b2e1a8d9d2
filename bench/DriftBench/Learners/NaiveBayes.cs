using Cascade.Bench.Drift.Generators;

namespace Cascade.Bench.Drift.Learners;

/// <summary>
/// Naive Bayes, the learner of the drift-detection literature (Gama et al. 2004; Tornado): per class, a Gaussian per
/// numeric attribute (running mean and variance, Welford) and Laplace-smoothed counts per binary or categorical value.
/// Incremental, so the baselines learn test-then-train; trained once and frozen, it is the model Cascade monitors.
/// </summary>
public sealed class NaiveBayes
{
    private readonly StreamSchema schema;
    private readonly int classes;
    private readonly long[] classCounts;
    // Numeric attributes: per feature, per class.
    private readonly double[][] means, squares;
    private readonly long[][] numericCounts;
    // Nominal attributes: per feature, [class * cardinality + value].
    private readonly long[][] valueCounts;
    private long seen;

    public NaiveBayes(StreamSchema schema)
    {
        this.schema = schema;
        classes = schema.Classes;
        classCounts = new long[classes];
        var width = schema.Width;
        means = new double[width][];
        squares = new double[width][];
        numericCounts = new long[width][];
        valueCounts = new long[width][];
        for (var f = 0; f < width; f++)
        {
            if (schema.Features[f].Kind == FeatureKind.Numeric)
            {
                means[f] = new double[classes];
                squares[f] = new double[classes];
                numericCounts[f] = new long[classes];
            }
            else
            {
                valueCounts[f] = new long[classes * schema.Features[f].Cardinality];
            }
        }
    }

    /// <summary>Instances learnt.</summary>
    public long Seen => seen;

    public void Learn(ReadOnlySpan<float> x, int label)
    {
        seen++;
        classCounts[label]++;
        for (var f = 0; f < x.Length; f++)
        {
            var value = x[f];
            if (float.IsNaN(value)) continue;
            if (means[f] is { } mean)
            {
                var n = ++numericCounts[f][label];
                var delta = value - mean[label];
                mean[label] += delta / n;
                squares[f][label] += delta * (value - mean[label]);
            }
            else
            {
                valueCounts[f][label * schema.Features[f].Cardinality + (int)value]++;
            }
        }
    }

    /// <summary>Writes P(class | x) for every class into <paramref name="probabilities"/>.</summary>
    public void Predict(ReadOnlySpan<float> x, Span<double> probabilities)
    {
        var best = double.NegativeInfinity;
        for (var c = 0; c < classes; c++)
        {
            var log = Math.Log((classCounts[c] + 1.0) / (seen + classes));
            for (var f = 0; f < x.Length; f++)
            {
                var value = x[f];
                if (float.IsNaN(value)) continue;
                log += means[f] is not null ? LogGaussian(f, c, value) : LogFrequency(f, c, (int)value);
            }
            probabilities[c] = log;
            if (log > best) best = log;
        }
        var total = 0.0;
        for (var c = 0; c < classes; c++) total += probabilities[c] = Math.Exp(probabilities[c] - best);
        for (var c = 0; c < classes; c++) probabilities[c] /= total;
    }

    /// <summary>The most probable class (the lowest on ties).</summary>
    public int PredictClass(ReadOnlySpan<float> x)
    {
        Span<double> probabilities = stackalloc double[classes];
        Predict(x, probabilities);
        var best = 0;
        for (var c = 1; c < classes; c++)
        {
            if (probabilities[c] > probabilities[best]) best = c;
        }
        return best;
    }

    private double LogFrequency(int feature, int c, int value)
    {
        var cardinality = schema.Features[feature].Cardinality;
        return Math.Log((valueCounts[feature][c * cardinality + value] + 1.0) / (classCounts[c] + cardinality));
    }

    private double LogGaussian(int feature, int c, float value)
    {
        var n = numericCounts[feature][c];
        if (n < 2) return 0; // no evidence yet: neutral
        var mean = means[feature][c];
        // A floor relative to the spread keeps a constant attribute from yielding infinite densities (sklearn's var_smoothing).
        var variance = squares[feature][c] / (n - 1) + 1e-9 * (1 + mean * mean);
        var z = value - mean;
        return -0.5 * (Math.Log(2 * Math.PI * variance) + z * z / variance);
    }
}
