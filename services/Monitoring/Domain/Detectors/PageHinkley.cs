using Cascade.Monitoring.Options;

namespace Cascade.Monitoring.Domain.Detectors;

/// <summary>The Page–Hinkley test for an increase of the mean (Page 1954; Hinkley 1971), with a forgetting factor.</summary>
/// <remarks>
/// <para>With x̄ₜ the running mean of the values since the last reset, the statistic is the one-sided cumulative sum
/// gₜ = max(0, α·gₜ₋₁ + xₜ − x̄ₜ − δ), and a change is signalled when gₜ &gt; λ after at least
/// <see cref="PageHinkleyOptions.MinInstances"/> values. The detector then starts afresh, so the new level becomes the
/// baseline. Without forgetting (α = 1), gₜ equals the textbook mₜ − min(m₁…mₜ) with mₜ = Σ(xᵢ − x̄ᵢ − δ).</para>
/// <para>δ makes the sum drift down while the mean is stable, so noise does not accumulate; α &lt; 1 lets old evidence
/// fade. The forgetting is applied to the reflected sum (as in scikit-multiflow) rather than to mₜ with a running
/// minimum (as in river): forgetting mₜ turns it into an autoregressive process whose spread, about σ/√(1 − α²)
/// (28 for 0/1 errors at α = 0.9999), rivals λ itself and raises false alarms on perfectly stable streams.</para>
/// </remarks>
public sealed class PageHinkley : IDriftDetector
{
    private readonly PageHinkleyOptions options;
    private double sum;
    // Values since the sum last stood at zero (the estimated change point), to measure the change.
    private double valuesTotal;
    private double totalSinceChange;
    private long countSinceChange;

    /// <summary>Creates a detector with no history.</summary>
    public PageHinkley(PageHinkleyOptions options)
    {
        this.options = options;
        Reset();
    }

    /// <inheritdoc />
    public string Name => "page_hinkley";

    /// <inheritdoc />
    public double Estimation { get; private set; }

    /// <inheritdoc />
    public long Width { get; private set; }

    /// <inheritdoc />
    public long Detections { get; private set; }

    /// <inheritdoc />
    public long Updates { get; private set; }

    /// <summary>The current statistic gₜ, to compare with λ.</summary>
    public double Statistic => sum;

    /// <inheritdoc />
    public double LastStatistic { get; private set; } = double.NaN;

    /// <inheritdoc />
    public double LastThreshold { get; private set; } = double.NaN;

    /// <inheritdoc />
    public double LastChange { get; private set; } = double.NaN;

    /// <inheritdoc />
    public bool Update(double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "Page-Hinkley needs finite values.");
        Updates++;
        Width++;
        Estimation += (value - Estimation) / Width;
        valuesTotal += value;
        sum = options.Alpha * sum + (value - Estimation - options.Delta);
        if (sum <= 0)
        {
            sum = 0;
            totalSinceChange = 0;
            countSinceChange = 0;
        }
        else
        {
            totalSinceChange += value;
            countSinceChange++;
        }
        if (Width < options.MinInstances || sum <= options.Threshold)
        {
            return false;
        }
        Detections++;
        LastStatistic = sum;
        LastThreshold = options.Threshold;
        // The change point is where the sum last left zero: compare the mean after it with the mean before it.
        var before = Width - countSinceChange;
        LastChange = before == 0
            ? double.NaN
            : totalSinceChange / countSinceChange - (valuesTotal - totalSinceChange) / before;
        Restart();
        return true;
    }

    /// <inheritdoc />
    public void Reset()
    {
        Restart();
        Detections = 0;
        Updates = 0;
        LastStatistic = LastThreshold = LastChange = double.NaN;
    }

    /// <summary>The detector's full state, for checkpoints.</summary>
    public PageHinkleyState Export() => new()
    {
        Mean = Estimation,
        Count = Width,
        Sum = sum,
        ValuesTotal = valuesTotal,
        TotalSinceChange = totalSinceChange,
        CountSinceChange = countSinceChange,
        Updates = Updates,
        Detections = Detections,
        LastStatistic = LastStatistic,
        LastThreshold = LastThreshold,
        LastChange = LastChange,
    };

    /// <summary>Restores a state written by <see cref="Export"/>.</summary>
    public void Import(PageHinkleyState state)
    {
        Estimation = state.Mean;
        Width = state.Count;
        sum = state.Sum;
        valuesTotal = state.ValuesTotal;
        totalSinceChange = state.TotalSinceChange;
        countSinceChange = state.CountSinceChange;
        Updates = state.Updates;
        Detections = state.Detections;
        LastStatistic = state.LastStatistic;
        LastThreshold = state.LastThreshold;
        LastChange = state.LastChange;
    }

    private void Restart()
    {
        Estimation = 0;
        Width = 0;
        sum = 0;
        valuesTotal = 0;
        totalSinceChange = 0;
        countSinceChange = 0;
    }
}
