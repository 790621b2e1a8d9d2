namespace Cascade.Cli.Demo;

/// <summary>One synthetic labelled record of the demo stream.</summary>
/// <param name="Sequence">Position in the stream, from 0.</param>
/// <param name="EntityId">The device that produced it.</param>
/// <param name="EventTime">Simulated event time.</param>
/// <param name="Features">Feature values, named <c>x0…x{n-1}</c>.</param>
/// <param name="Label">1 or 0.</param>
public sealed record SyntheticRecord(long Sequence, string EntityId, DateTimeOffset EventTime, double[] Features, int Label);

/// <summary>
/// A rotating-hyperplane stream with a scheduled, abrupt drift: before <see cref="DriftAt"/> the label is
/// <c>w·x + noise &gt; 0</c>; from it on, the hyperplane turns (half of the weights change sign) and two
/// features shift their mean, so both a covariate-drift test (PSI, KS) and a performance detector
/// (ADWIN on the loss of the old model) have something to find.
/// </summary>
/// <remarks>Deterministic for a given seed, so demo runs and tests are reproducible.</remarks>
public sealed class SyntheticStream
{
    /// <summary>Number of features, <c>x0…x7</c>.</summary>
    public const int FeatureCount = 8;

    private readonly Random _random;
    private readonly double[] _weightsBefore;
    private readonly double[] _weightsAfter;
    private readonly int _entities;
    private readonly DateTimeOffset _start;
    private long _next;

    public SyntheticStream(long driftAt, int entities = 500, int seed = 42, DateTimeOffset? start = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(driftAt);
        ArgumentOutOfRangeException.ThrowIfLessThan(entities, 1);
        DriftAt = driftAt;
        _entities = entities;
        _random = new Random(seed);
        _start = start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        _weightsBefore = new double[FeatureCount];
        for (var i = 0; i < FeatureCount; i++)
        {
            _weightsBefore[i] = 0.5 + _random.NextDouble();
        }
        _weightsAfter = (double[])_weightsBefore.Clone();
        for (var i = 0; i < FeatureCount; i += 2)
        {
            _weightsAfter[i] = -_weightsAfter[i];
        }
    }

    /// <summary>The sequence number from which the changed concept applies.</summary>
    public long DriftAt { get; }

    /// <summary>Names of the features, in order.</summary>
    public static IReadOnlyList<string> FeatureNames { get; } = Enumerable.Range(0, FeatureCount).Select(i => $"x{i}").ToArray();

    /// <summary>Produces the next record of the stream.</summary>
    public SyntheticRecord Next()
    {
        var sequence = _next++;
        var drifted = sequence >= DriftAt;
        var x = new double[FeatureCount];
        for (var i = 0; i < FeatureCount; i++)
        {
            x[i] = Gaussian();
        }
        if (drifted)
        {
            // Covariate shift on two features, on top of the concept change.
            x[0] += 1.5;
            x[1] -= 1.0;
        }
        var weights = drifted ? _weightsAfter : _weightsBefore;
        var margin = 0.0;
        for (var i = 0; i < FeatureCount; i++)
        {
            margin += weights[i] * x[i];
        }
        margin += 0.3 * Gaussian();
        var entity = $"device-{_random.Next(_entities):D4}";
        // 10 records per simulated second: windows of minutes hold a realistic number of events.
        var eventTime = _start.AddMilliseconds(sequence * 100);
        return new SyntheticRecord(sequence, entity, eventTime, x, margin > 0 ? 1 : 0);
    }

    /// <summary>A feature vector drawn like the record at <paramref name="sequence"/> would be, for prediction load.</summary>
    public double[] SampleFeatures(long sequence)
    {
        var x = new double[FeatureCount];
        for (var i = 0; i < FeatureCount; i++)
        {
            x[i] = Gaussian();
        }
        if (sequence >= DriftAt)
        {
            x[0] += 1.5;
            x[1] -= 1.0;
        }
        return x;
    }

    private double Gaussian()
    {
        // Box–Muller; Random is not thread-safe, and the stream is produced by one writer.
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
