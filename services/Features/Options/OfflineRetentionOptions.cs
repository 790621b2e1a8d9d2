using System.ComponentModel.DataAnnotations;

namespace Cascade.Features.Options;

/// <summary>
/// How long the offline store keeps feature rows. A row is deleted once it is older than <see cref="MaxAge"/> (by its
/// event time) and not among the newest <see cref="KeepNewestRows"/> of its feature view version (each rule only when
/// set), unless a model version whose artifact the registry still keeps was trained on it: the training window its
/// lineage records (the newest labeled rows its job read below its watermark) is never deleted.
/// </summary>
/// <remarks>
/// Off by default (both rules 0): deleting training data cannot be undone, and how much history a deployment needs
/// (for new models, backfills, other views) is the operator's call. Turning it on needs the registry reachable
/// (<c>Cascade:Services:registry</c> in a Features process of its own): a pass that cannot list the kept versions
/// deletes nothing.
/// </remarks>
public sealed class OfflineRetentionOptions
{
    /// <summary>Configuration section name: <c>Cascade__Features__Retention__MaxAge</c> ….</summary>
    public const string SectionName = "Cascade:Features:Retention";

    /// <summary>Rows whose event time is older than this may be deleted; zero: no age rule.</summary>
    /// <value>The default value is zero (no age rule).</value>
    [Range(typeof(TimeSpan), "00:00:00", "36500.00:00:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// The newest rows (by event time, labeled or not) of each feature view version kept whatever their age; zero: no
    /// count rule. With <see cref="MaxAge"/> as well, a row goes only when both rules let it go.
    /// </summary>
    /// <value>The default value is zero (no count rule).</value>
    [Range(0, int.MaxValue)]
    public int KeepNewestRows { get; set; }

    /// <summary>How often a pass runs while a rule is set; zero turns the periodic pass off.</summary>
    /// <value>The default value is 1 hour.</value>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Rows a delete transaction examines. Each batch holds the embedded store's lock (or PostgreSQL row locks) only
    /// for its own rows, so materialization waits at most one batch.
    /// </summary>
    /// <value>The default value is 1,000.</value>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 1_000;

    /// <summary>Longest a pass waits for the registry's list of kept versions before it gives up, deleting nothing.</summary>
    /// <value>The default value is 30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RegistryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether a rule is set (otherwise nothing is ever deleted and the registry is never asked).</summary>
    public bool Enabled => MaxAge > TimeSpan.Zero || KeepNewestRows > 0;

    /// <summary>Rules the annotations cannot state.</summary>
    internal static IEnumerable<string> Rules(OfflineRetentionOptions options)
    {
        if (options.Interval > TimeSpan.Zero && options.Interval < TimeSpan.FromSeconds(1))
        {
            yield return $"Interval: {options.Interval} is shorter than 1 second; use 0 to turn the periodic pass off.";
        }
    }

    /// <summary>The rules in words, for logs.</summary>
    public string Describe() => (MaxAge > TimeSpan.Zero, KeepNewestRows > 0) switch
    {
        (true, true) => $"rows older than {MaxAge} and outside each view version's newest {KeepNewestRows:N0}",
        (true, false) => $"rows older than {MaxAge}",
        (false, true) => $"rows outside each view version's newest {KeepNewestRows:N0}",
        _ => "nothing (retention is off)",
    };
}
