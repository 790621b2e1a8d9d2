using Cascade.Storage.OnlineStore;
using StackExchange.Redis;

namespace Cascade.Storage.Redis;

/// <summary>
/// <see cref="IOnlineStore"/> on Redis: one string per (view, entity), written with pipelined SETs (with the view's
/// TTL, so Redis itself drops a vector not rewritten in time) and read with one MGET per batch. The multiplexer keeps
/// one connection and reconnects by itself.
/// While Redis is unreachable, reads fail at once with <see cref="OnlineStoreUnavailableException"/> instead of waiting out
/// the command timeout: a prediction client gets a retryable UNAVAILABLE in microseconds, not a deadline after seconds.
/// A marker key per view (no TTL) tells whether Redis still holds what was written: a restarted server without
/// persistence comes back empty, and the feature service rebuilds the view from its own state. Vectors that expire by
/// their TTL leave the marker alone, so they never look like a lost view (which would rebuild it again and again).
/// </summary>
public sealed class RedisOnlineStore : IOnlineStore, IDisposable
{
    private readonly RedisOnlineStoreOptions _options;
    private readonly ConnectionMultiplexer _redis;
    private readonly IDatabase _database;

    public RedisOnlineStore(RedisOnlineStoreOptions options)
    {
        _options = options;
        _redis = ConnectionMultiplexer.Connect(RedisConnection.Configure(options));
        _database = _redis.GetDatabase();
    }

    private RedisKey Key(string view, string entity) => $"{_options.KeyPrefix}:{view}:{entity}";

    /// <summary>The view's marker, outside the <c>prefix:view:</c> key space of its vectors so no entity id can collide with it.</summary>
    private RedisKey Marker(string view) => $"{_options.KeyPrefix}~intact:{view}";

    /// <summary>The view's own <c>ttl</c> when the writer passes one, else the configured TTL of the view, else the default.</summary>
    private TimeSpan? TimeToLive(string view, TimeSpan? passed) =>
        passed ?? (_options.TimeToLive.TryGetValue(view, out var ttl) ? ttl : _options.DefaultTimeToLive);

    public async ValueTask WriteBatchAsync(string featureView, IReadOnlyList<FeatureVector> vectors, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        VectorExpiry.Check(timeToLive);
        if (vectors.Count == 0) return;
        var ttl = TimeToLive(featureView, timeToLive);
        var now = DateTimeOffset.UtcNow.UtcTicks;
        // Commands issued without awaiting in between are pipelined on the one connection; await them together.
        var writes = new Task[vectors.Count];
        for (var i = 0; i < vectors.Count; i++)
        {
            var key = Key(featureView, vectors[i].EntityId);
            if (ttl is not { } live)
            {
                // A plain SET, which also clears any TTL the key had.
                writes[i] = _database.StringSetAsync(key, FeatureVectorCodec.Encode(vectors[i]), Expiration.Default);
                continue;
            }
            // Relative (PX), from this host's clock, the one that stamped UpdatedAt: a skewed Redis clock cannot shift it.
            var left = new TimeSpan(VectorExpiry.ExpiresAtTicks(vectors[i], live) - now);
            writes[i] = left >= MinimumExpiry
                ? _database.StringSetAsync(key, FeatureVectorCodec.Encode(vectors[i]), new Expiration(left))
                // Expired already (a rebuild of an entity idle longer than the ttl): dropped, not brought back.
                : _database.KeyDeleteAsync(key);
        }
        await Task.WhenAll(writes).WaitAsync(cancellationToken);
    }

    /// <summary>Redis counts expiries in whole milliseconds and refuses PX 0.</summary>
    private static readonly TimeSpan MinimumExpiry = TimeSpan.FromMilliseconds(1);

    public async ValueTask<FeatureVector?[]> ReadBatchAsync(string featureView, IReadOnlyList<string> entityIds, CancellationToken cancellationToken = default)
    {
        var result = new FeatureVector?[entityIds.Count];
        if (entityIds.Count == 0) return result;
        var keys = new RedisKey[entityIds.Count];
        for (var i = 0; i < keys.Length; i++) keys[i] = Key(featureView, entityIds[i]);
        var values = await Read(() => _database.StringGetAsync(keys), cancellationToken);
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i].HasValue) result[i] = FeatureVectorCodec.Decode(entityIds[i], (byte[])values[i]!);
        }
        return result;
    }

    public async ValueTask<FeatureVector?> ReadAsync(string featureView, string entityId, CancellationToken cancellationToken = default)
    {
        var value = await Read(() => _database.StringGetAsync(Key(featureView, entityId)), cancellationToken);
        return value.HasValue ? FeatureVectorCodec.Decode(entityId, (byte[])value!) : null;
    }

    /// <summary>One DEL of every key: Redis answers how many existed.</summary>
    public async ValueTask<int> DeleteAsync(string featureView, IReadOnlyList<string> entityIds, CancellationToken cancellationToken = default)
    {
        if (entityIds.Count == 0) return 0;
        var keys = new RedisKey[entityIds.Count];
        for (var i = 0; i < keys.Length; i++) keys[i] = Key(featureView, entityIds[i]);
        return (int)await _database.KeyDeleteAsync(keys).WaitAsync(cancellationToken);
    }

    public async ValueTask<bool> IsIntactAsync(string featureView, CancellationToken cancellationToken = default) =>
        await _database.KeyExistsAsync(Marker(featureView)).WaitAsync(cancellationToken);

    public async ValueTask MarkIntactAsync(string featureView, CancellationToken cancellationToken = default) =>
        await _database.StringSetAsync(Marker(featureView), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).WaitAsync(cancellationToken);

    private async Task<T> Read<T>(Func<Task<T>> read, CancellationToken cancellationToken)
    {
        if (!_redis.IsConnected)
        {
            // The endpoints only: the configuration string may hold a password.
            throw new OnlineStoreUnavailableException($"The online store (Redis at {string.Join(", ", _redis.GetEndPoints().Select(Format))}) is unreachable; retry shortly.");
        }
        try
        {
            return await read().WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
        {
            throw new OnlineStoreUnavailableException($"The online store (Redis) did not answer: {ex.Message}", ex);
        }
    }

    private static string Format(System.Net.EndPoint endPoint) => endPoint is System.Net.DnsEndPoint dns ? $"{dns.Host}:{dns.Port}" : endPoint.ToString() ?? "?";

    public void Dispose() => _redis.Dispose();
}
