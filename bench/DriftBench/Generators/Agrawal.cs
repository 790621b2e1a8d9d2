namespace Cascade.Bench.Drift.Generators;

/// <summary>
/// Agrawal et al.'s loan applicants (MOA's AgrawalGenerator): salary uniform in [20k, 150k); commission 0 from a salary
/// of 75k, else uniform in [10k, 75k); age 20–80; education level 0–4; car maker 1–20; zip code 1–9; house value
/// (9 − zip)·100k·U[0.5, 1.5); years owned 1–30; loan uniform in [0, 500k). The class is decided by one of the ten
/// functions (<see cref="AgrawalFunctions"/>); then the numeric values are perturbed by up to ±5% of their range, as in
/// the C generator, which is the stream's only noise. Segment k follows function (k mod 10) + 1.
/// </summary>
/// <remarks>MOA clamps the perturbed house value to [0, 135,000], a typo for its range's 1,350,000 that flattens the
/// attribute; it is clamped to the zip code's own range here. Only function 10 reads it.</remarks>
public sealed class Agrawal : IConceptGenerator
{
    private const double Perturbation = 0.05;

    public string Name => "Agrawal";

    public StreamSchema Schema { get; } = new(
    [
        FeatureSpec.Numeric("salary"), FeatureSpec.Numeric("commission"), FeatureSpec.Numeric("age"),
        FeatureSpec.Categorical("elevel", Names("level", 0, 5)), FeatureSpec.Categorical("car", Names("car", 1, 20)),
        FeatureSpec.Categorical("zipcode", Names("zipcode", 1, 9)), FeatureSpec.Numeric("hvalue"), FeatureSpec.Numeric("hyears"),
        FeatureSpec.Numeric("loan"),
    ], 2);

    /// <summary>The function segment <paramref name="segment"/> follows.</summary>
    public static int FunctionOf(int segment) => segment % AgrawalFunctions.Count + 1;

    public int Next(int segment, StreamRandom random, Span<float> features)
    {
        var salary = random.Uniform(20_000, 150_000);
        var commission = salary >= 75_000 ? 0 : random.Uniform(10_000, 75_000);
        var age = 20 + random.NextInt(61);
        var elevel = random.NextInt(5);
        var car = random.NextInt(20);
        var zipcode = random.NextInt(9);
        var hvalue = (9.0 - zipcode) * 100_000.0 * random.Uniform(0.5, 1.5);
        var hyears = 1 + random.NextInt(30);
        var loan = random.Uniform(0, 500_000);
        var label = AgrawalFunctions.Classify(FunctionOf(segment), new AgrawalApplicant(salary, commission, age, elevel, car, zipcode, hvalue, hyears, loan));

        salary = Perturb(random, salary, 20_000, 150_000);
        if (commission > 0) commission = Perturb(random, commission, 10_000, 75_000);
        age = (int)Math.Round(Perturb(random, age, 20, 80));
        hvalue = Perturb(random, hvalue, (9.0 - zipcode) * 50_000.0, (9.0 - zipcode) * 150_000.0);
        hyears = (int)Math.Round(Perturb(random, hyears, 1, 30));
        loan = Perturb(random, loan, 0, 500_000);

        features[0] = (float)salary;
        features[1] = (float)commission;
        features[2] = age;
        features[3] = elevel;
        features[4] = car;
        features[5] = zipcode;
        features[6] = (float)hvalue;
        features[7] = hyears;
        features[8] = (float)loan;
        return label;
    }

    public string Describe(int segment) => $"function {FunctionOf(segment)}";

    private static double Perturb(StreamRandom random, double value, double min, double max)
    {
        value += (max - min) * (2.0 * (random.NextDouble() - 0.5)) * Perturbation;
        return Math.Clamp(value, min, max);
    }

    private static string[] Names(string prefix, int first, int count) => Enumerable.Range(first, count).Select(i => $"{prefix}{i}").ToArray();
}
