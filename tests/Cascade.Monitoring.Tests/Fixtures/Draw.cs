namespace Cascade.Monitoring.Tests.Fixtures;

/// <summary>Seeded random draws for synthetic data.</summary>
internal sealed class Draw(int seed)
{
    private readonly Random random = new(seed);

    public double Uniform() => random.NextDouble();

    public double Uniform(double low, double high) => low + (high - low) * random.NextDouble();

    /// <summary>Box–Muller.</summary>
    public double Normal(double mean = 0, double std = 1)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return mean + std * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    public double Exponential(double rate = 1) => -Math.Log(1.0 - random.NextDouble()) / rate;

    public bool Bernoulli(double p) => random.NextDouble() < p;

    /// <summary>Marsaglia–Tsang; shapes below 1 are boosted by U^(1/shape).</summary>
    public double Gamma(double shape)
    {
        if (shape < 1) return Gamma(shape + 1) * Math.Pow(Uniform(), 1 / shape);
        var d = shape - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            var u = Uniform();
            if (u < 1 - 0.0331 * x * x * x * x || Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v))) return d * v;
        }
    }

    /// <summary>Beta with the given mean and concentration (α + β).</summary>
    public double Beta(double mean, double concentration)
    {
        var a = Gamma(mean * concentration);
        var b = Gamma((1 - mean) * concentration);
        return a / (a + b);
    }

    public double[] Normals(int n, double mean = 0, double std = 1) => Enumerable.Range(0, n).Select(_ => Normal(mean, std)).ToArray();
}
