using System.ComponentModel.DataAnnotations;
using Cascade.EventLog.Abstractions;

namespace Cascade.EventLog.Handlers;

/// <summary>How an <see cref="IEventBatchHandler"/> reads and how its failures are retried.</summary>
public sealed class EventHandlerOptions
{
    /// <summary>The consumer group and its topics.</summary>
    [Required]
    public required ConsumerOptions Subscription { get; init; }

    /// <summary>How long one poll waits for records.</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether the group commits. False for a group that replays its topics from the start in every process (a
    /// fresh group id): nothing is committed or held, and a poison record is dead-lettered again after a restart.
    /// </summary>
    /// <value>The default value is true.</value>
    public bool Commits { get; init; } = true;

    /// <summary>Attempts at a whole batch (the first included) before its records are tried one at a time.</summary>
    /// <value>The default value is 3.</value>
    [Range(1, 100)]
    public int MaxBatchAttempts { get; init; } = 3;

    /// <summary>Attempts at a single record (the first included) before it is dead-lettered.</summary>
    /// <value>The default value is 3.</value>
    [Range(1, 100)]
    public int MaxRecordAttempts { get; init; } = 3;

    /// <summary>The wait after the first failure; each further consecutive failure doubles it, up to <see cref="MaxBackoff"/>.</summary>
    /// <value>The default value is 200 milliseconds.</value>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait between attempts.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Consecutive failures after which the group reports itself stuck (the server turns NOT_SERVING): one failure
    /// that the next attempt clears is noise, not an outage.
    /// </summary>
    /// <value>The default value is 2.</value>
    [Range(1, 1000)]
    public int StuckAfterFailures { get; init; } = 2;

    /// <summary>The wait before attempt number <paramref name="failures"/> + 1.</summary>
    public TimeSpan Backoff(int failures)
    {
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var ticks = Math.Min(MaxBackoff.Ticks, InitialBackoff.Ticks * (1L << Math.Min(exponent, 20)));
        return TimeSpan.FromTicks(Math.Max(0, ticks));
    }

    /// <exception cref="ValidationException">A setting is out of range.</exception>
    public void Validate()
    {
        Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
        if (InitialBackoff < TimeSpan.Zero || MaxBackoff < InitialBackoff || PollInterval < TimeSpan.Zero)
        {
            throw new ValidationException($"Event handler of group '{Subscription.GroupId}': need 0 <= InitialBackoff <= MaxBackoff and PollInterval >= 0.");
        }
    }
}
