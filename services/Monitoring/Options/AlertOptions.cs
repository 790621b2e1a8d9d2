using System.ComponentModel.DataAnnotations;

namespace Cascade.Monitoring.Options;

/// <summary>How often the same ongoing drift may alert again.</summary>
public sealed class AlertOptions
{
    /// <summary>After an alert, the same dedup key stays silent for this long (event time) unless its severity escalates;
    /// a drift still present afterwards alerts again as a reminder.</summary>
    /// <value>The default value is 1 hour.</value>
    public TimeSpan QuietPeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A performance alert is CRITICAL when both detectors (ADWIN and Page–Hinkley) flagged a loss increase within
    /// this many labelled predictions of each other, WARNING when only one did.</summary>
    /// <value>The default value is 1,000.</value>
    [Range(1, 100_000_000)]
    public int DetectorAgreementLabels { get; set; } = 1_000;
}
