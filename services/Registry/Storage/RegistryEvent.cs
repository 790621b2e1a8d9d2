using Cascade.Contracts.Events;
using Google.Protobuf;

namespace Cascade.Registry.Storage;

/// <summary>
/// An event that announces a registry change (<c>ModelTrained</c>, <c>ModelPromoted</c>, <c>ModelRolledBack</c>,
/// <c>ChallengerSet</c>). The store writes it to its outbox in the change's own transaction, and
/// <see cref="Messaging.RegistryOutbox"/> appends it to the log.
/// </summary>
/// <param name="Topic">The event-log topic.</param>
/// <param name="Model">The model: the partition key, so one model's events keep their order.</param>
/// <param name="Payload">The event itself.</param>
public sealed record RegistryEvent(string Topic, string Model, IMessage Payload)
{
    /// <summary>The producer named in the envelopes.</summary>
    public const string Producer = "cascade-registry";

    /// <summary>
    /// The event id of the change audited under <paramref name="auditSequence"/>. Deterministic and stored with the
    /// envelope, so a re-sent event carries the same id and consumers can drop the copy; it also names the audit
    /// entry that records the change.
    /// </summary>
    public static string EventId(string model, long auditSequence) => $"registry/{model}/{auditSequence}";

    /// <summary>The envelope the outbox keeps; the relay appends these bytes unchanged.</summary>
    internal byte[] Envelope(string eventId) => EventEnvelopes.Wrap(Payload, Model, Producer, eventId).ToByteArray();
}

/// <summary>An event waiting in the outbox. <paramref name="Sequence"/> is its place in commit order.</summary>
/// <param name="Sequence">The outbox row: the relay sends in this order and deletes by it.</param>
/// <param name="EventId">The envelope's event id (also inside <paramref name="Envelope"/>).</param>
/// <param name="Topic">The log topic.</param>
/// <param name="Key">The partition key (the model).</param>
/// <param name="Envelope">The serialized <c>EventEnvelope</c>.</param>
public sealed record PendingEvent(long Sequence, string EventId, string Topic, string Key, byte[] Envelope);
