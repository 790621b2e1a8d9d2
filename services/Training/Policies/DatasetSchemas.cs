using Cascade.Contracts.Events.V1;

namespace Cascade.Training.Policies;

/// <summary>
/// The datasets' current columns as Ingestion announces them (<c>DatasetRegistered</c>, followed by
/// <see cref="DatasetSchemaFollower"/>): what a training policy's <c>monitoring</c> block is checked against when the
/// policy is put. Thread-safe.
/// </summary>
public sealed class DatasetSchemas
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, DatasetRegistered> datasets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TaskCompletionSource> waiting = new(StringComparer.Ordinal);

    /// <summary>Learns a dataset's schema; an older schema version than the one known is ignored.</summary>
    public void Apply(DatasetRegistered registered)
    {
        TaskCompletionSource? arrived;
        lock (gate)
        {
            if (datasets.TryGetValue(registered.Dataset, out var known) && known.SchemaVersion > registered.SchemaVersion) return;
            datasets[registered.Dataset] = registered;
            waiting.Remove(registered.Dataset, out arrived);
        }
        arrived?.TrySetResult();
    }

    /// <summary>The schema of <paramref name="dataset"/>, or null when none has been announced.</summary>
    public DatasetRegistered? Find(string dataset)
    {
        lock (gate) return datasets.GetValueOrDefault(dataset);
    }

    /// <summary>
    /// The schema of <paramref name="dataset"/>, waiting up to <paramref name="timeout"/> for its announcement (a dataset
    /// registered a moment ago reaches this process through the log); null when it has not arrived by then.
    /// </summary>
    public async Task<DatasetRegistered?> WaitForAsync(string dataset, TimeSpan timeout, CancellationToken cancellationToken)
    {
        TaskCompletionSource? pending;
        lock (gate)
        {
            if (datasets.TryGetValue(dataset, out var known)) return known;
            if (!waiting.TryGetValue(dataset, out pending)) waiting[dataset] = pending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        try
        {
            await pending.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Names that never arrive (a typo) must not pile up: a later waiter starts afresh.
            lock (gate)
            {
                if (waiting.TryGetValue(dataset, out var current) && current == pending) waiting.Remove(dataset);
            }
        }
        return Find(dataset);
    }
}
