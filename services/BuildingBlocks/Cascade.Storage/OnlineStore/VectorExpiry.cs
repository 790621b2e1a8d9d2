namespace Cascade.Storage.OnlineStore;

/// <summary>
/// When a vector written with a time to live expires: the rule of <see cref="IOnlineStore.WriteBatchAsync"/>, kept in one
/// place so every store drops the same vectors at the same time.
/// </summary>
public static class VectorExpiry
{
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeToLive"/> is zero or negative.</exception>
    public static void Check(TimeSpan? timeToLive)
    {
        if (timeToLive is { } ttl && ttl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeToLive), ttl, "A time to live must be positive; pass null for none.");
        }
    }

    /// <summary>
    /// UTC ticks at which <paramref name="vector"/> expires: its <see cref="FeatureVector.UpdatedAt"/> plus the time to
    /// live, at most <see cref="DateTimeOffset.MaxValue"/> (a <c>ttl</c> of millennia is valid protobuf and must not overflow).
    /// </summary>
    public static long ExpiresAtTicks(FeatureVector vector, TimeSpan timeToLive)
    {
        var updated = vector.UpdatedAt.UtcTicks;
        var latest = DateTimeOffset.MaxValue.UtcTicks;
        return timeToLive.Ticks > latest - updated ? latest : updated + timeToLive.Ticks;
    }
}
