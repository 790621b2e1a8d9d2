namespace Cascade.EventLog.Embedded;

/// <summary>
/// Wakes waiting consumers the moment an append commits: each append completes the current task and
/// installs a fresh one. A consumer takes the task <em>before</em> it looks for records, so an append
/// between its look and its wait still wakes it (no lost wake-up, no polling).
/// </summary>
internal sealed class AppendSignal
{
    private TaskCompletionSource _current = New();

    public Task Current => Volatile.Read(ref _current).Task;

    public void Pulse() => Interlocked.Exchange(ref _current, New()).TrySetResult();

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
