using Cascade.Monitoring.Domain;
using Cascade.Ml.Artifacts;

namespace Cascade.Monitoring.Tests.Fixtures;

/// <summary>
/// A known binary classifier over five features of different shapes (normal, shifted normal, exponential, binary,
/// uniform with 5% missing), with calibrated labels, and the reference profile training would have written for it.
/// </summary>
internal static class SyntheticModel
{
    public const string Name = "churn";

    public static readonly string[] Features = ["age", "income", "tenure", "is_premium", "score"];

    public static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>How the live traffic differs from training.</summary>
    public sealed record Scenario(double IncomeShift = 0, bool FlipLabelsForOlder = false, bool ScoreMissing = false);

    public static float[] DrawFeatures(Draw draw, Scenario scenario) =>
    [
        (float)draw.Normal(),
        (float)draw.Normal(5 + scenario.IncomeShift, 2),
        (float)draw.Exponential(),
        draw.Bernoulli(0.3) ? 1f : 0f,
        scenario.ScoreMissing || draw.Bernoulli(0.05) ? float.NaN : (float)draw.Uniform(0, 10),
    ];

    public static float Predict(float[] x)
    {
        var score = float.IsNaN(x[4]) ? 0 : 0.1 * (x[4] - 5);
        var logit = 2.0 * x[0] - 0.6 * (x[1] - 5) / 2 + 0.8 * (x[2] - 1) + 0.8 * x[3] - 0.5 + score;
        return (float)(1 / (1 + Math.Exp(-logit)));
    }

    /// <summary>A calibrated label; under concept drift the outcome is reversed for age above 0.5 (a third of the traffic).</summary>
    public static double Label(Draw draw, float[] x, float p, Scenario scenario)
    {
        var y = draw.Bernoulli(p) ? 1.0 : 0.0;
        return scenario.FlipLabelsForOlder && x[0] > 0.5 ? 1 - y : y;
    }

    public static ReferenceProfile Profile(Scenario scenario, int rows = 20_000, int seed = 1000)
    {
        var draw = new Draw(seed);
        var data = Enumerable.Range(0, rows).Select(_ => DrawFeatures(draw, scenario)).ToArray();
        var features = Features.Select((name, f) => Profiler.Profile(name, data.Select(x => x[f]).ToArray())).ToArray();
        return new ReferenceProfile { Features = features, Prediction = Profiler.Profile("prediction", data.Select(Predict).ToArray()) };
    }

    public static PredictionRecord Prediction(long i, int version, float[] x, float p) =>
        new($"p{i}", Name, version, $"e{i % 500}", Start.AddSeconds(i), i, x, new[] { p });
}
