using Cascade.Monitoring.Domain.Labels;

namespace Cascade.Monitoring.Domain;

/// <summary>
/// What a checkpoint of a <see cref="ModelMonitor"/> writes: its state without the predictions waiting for labels
/// (<see cref="MonitorState.Pending"/> is empty), and only the changes to those since the previous checkpoint. The
/// waiting predictions are most of a monitor's state (100,000 by default); writing them whole every checkpoint
/// interval cost tens of megabytes of serialization, allocation and disk writes each time.
/// </summary>
public sealed record MonitorCheckpoint(MonitorState State, PendingChanges Pending);
