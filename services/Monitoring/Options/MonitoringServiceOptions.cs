using System.ComponentModel.DataAnnotations;

namespace Cascade.Monitoring.Options;

/// <summary>How the Monitoring service runs: where it keeps its state and how often it checkpoints.</summary>
public sealed class MonitoringServiceOptions
{
    /// <summary>Configuration section name: <c>Cascade__Monitoring__CheckpointInterval</c>, <c>Cascade__Monitoring__Drift__Window__Size</c> ….</summary>
    public const string SectionName = "Cascade:Monitoring";

    /// <summary>The SQLite file of monitor checkpoints and alerts.</summary>
    [Required]
    public string DatabasePath { get; set; } = "monitoring.db";

    /// <summary>
    /// Longest time between two checkpoints (and consumer commits). Checkpointing every batch would serialise each
    /// model's window several hundred times a second under load; after a crash, at most this much is re-read.
    /// </summary>
    /// <value>The default value is 2 seconds.</value>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The drift statistics, windows, detectors and alert rules.</summary>
    public MonitoringOptions Drift { get; set; } = new();

    /// <summary>How much drift history (each evaluated window's statistics, for GetDriftHistory) is kept.</summary>
    public DriftHistoryOptions History { get; set; } = new();

    /// <summary>Where alerts are pushed besides WatchAlerts (none by default).</summary>
    public Alerts.Webhooks.WebhookOptions Webhooks { get; set; } = new();
}
