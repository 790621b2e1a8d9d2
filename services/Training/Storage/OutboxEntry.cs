namespace Cascade.Training.Storage;

/// <summary>A command for the workers: the queue it goes to and the policy it trains with.</summary>
public sealed record OutboxCommand(string Queue, byte[] Policy);

/// <summary>A command waiting in the outbox.</summary>
public sealed record OutboxEntry(long Sequence, string JobId, OutboxCommand Command, byte[] Job);
