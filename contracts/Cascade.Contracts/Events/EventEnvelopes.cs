using Cascade.Contracts.Events.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Cascade.Contracts.Events;

/// <summary>Wraps payloads in <see cref="EventEnvelope"/>s and unwraps them with a type check.</summary>
public static class EventEnvelopes
{
    /// <summary>Wraps <paramref name="payload"/>; the event id defaults to a new GUID (pass a deterministic one to make re-publishing idempotent).</summary>
    public static EventEnvelope Wrap(IMessage payload, string partitionKey, string producer, string? eventId = null, string? traceparent = null) => new()
    {
        EventId = eventId ?? Guid.NewGuid().ToString("N"),
        Type = payload.Descriptor.FullName,
        SchemaVersion = 1,
        OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
        Producer = producer,
        Traceparent = traceparent ?? System.Diagnostics.Activity.Current?.Id ?? string.Empty,
        PartitionKey = partitionKey,
        Payload = payload.ToByteString(),
    };

    /// <summary>The payload as <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidDataException">The envelope carries another type.</exception>
    public static T Unwrap<T>(EventEnvelope envelope, MessageParser<T> parser) where T : IMessage<T>
    {
        var expected = parser.ParseFrom(ByteString.Empty).Descriptor.FullName;
        if (envelope.Type != expected)
        {
            throw new InvalidDataException($"Event {envelope.EventId} carries {envelope.Type}, expected {expected}.");
        }
        return parser.ParseFrom(envelope.Payload);
    }
}
