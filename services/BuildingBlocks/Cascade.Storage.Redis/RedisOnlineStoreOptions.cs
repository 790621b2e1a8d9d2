namespace Cascade.Storage.Redis;

/// <summary>How the Redis online store connects and how long vectors live.</summary>
public sealed class RedisOnlineStoreOptions
{
    public const string SectionName = "Cascade:Redis";

    /// <summary>StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379,abortConnect=false</c>.</summary>
    public string Configuration { get; set; } = "127.0.0.1:6379,abortConnect=false";

    /// <summary>Prefix of every key: <c>{prefix}:{view}:{entity}</c>, so several deployments can share a Redis.</summary>
    public string KeyPrefix { get; set; } = "cascade:fv";

    /// <summary>Time to live of a vector per feature view; a vector not refreshed for that long disappears (serving then answers NOT_FOUND for the entity).</summary>
    public Dictionary<string, TimeSpan> TimeToLive { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Time to live of views not named in <see cref="TimeToLive"/>; null keeps vectors until overwritten.</summary>
    public TimeSpan? DefaultTimeToLive { get; set; }
}
