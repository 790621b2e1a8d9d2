using System.Collections.Concurrent;
using Cascade.Contracts.Events;
using Cascade.Contracts.Ingestion.V1;
using Cascade.EventLog.Abstractions;
using Cascade.Ingestion.Options;
using Cascade.Ingestion.Storage;

namespace Cascade.Ingestion.Domain;

/// <summary>Registers datasets and their schema versions, refusing incompatible changes; caches the current schemas.</summary>
public sealed class DatasetRegistry(IngestionStore store, IEventLog log, IngestionOptions options, DatasetAnnouncer announcer)
{
    private readonly ConcurrentDictionary<string, (DatasetSchema Schema, int Version)> _current = new(StringComparer.Ordinal);

    /// <summary>
    /// Registers a dataset or a new version of it; re-registering the current spec stores nothing. Either way the
    /// current schema is announced (<c>DatasetRegistered</c>), so registering again repairs an announcement the log missed.
    /// </summary>
    /// <exception cref="ArgumentException">The spec is invalid.</exception>
    /// <exception cref="IncompatibleSchemaException">The change would break existing records or consumers.</exception>
    public async Task<(DatasetSchema Schema, int Version)> RegisterAsync(DatasetSpec spec, CancellationToken cancellationToken)
    {
        var (schema, current, unchanged) = Check(spec);
        if (!unchanged)
        {
            await log.CreateTopicAsync(Topics.Data(spec.Name), spec.Partitions > 0 ? spec.Partitions : options.DefaultPartitions, cancellationToken);
            current = store.AddVersion(spec);
        }
        await announcer.AnnounceAsync(spec, current, cancellationToken);
        return Cache(schema, current);
    }

    /// <summary>
    /// The schema version registering <paramref name="spec"/> would give (the current one when the spec equals it),
    /// checked exactly as <see cref="RegisterAsync"/> checks it; writes nothing: no version, no topic, no cache entry.
    /// </summary>
    /// <exception cref="ArgumentException">The spec is invalid.</exception>
    /// <exception cref="IncompatibleSchemaException">The change would break existing records or consumers.</exception>
    public int Preview(DatasetSpec spec)
    {
        var (_, current, unchanged) = Check(spec);
        return unchanged ? current : current + 1;
    }

    /// <summary>Validates the spec against the current version (0 when none); unchanged when it equals it.</summary>
    private (DatasetSchema Schema, int Current, bool Unchanged) Check(DatasetSpec spec)
    {
        var schema = DatasetSchema.From(spec);
        if (store.Get(spec.Name) is not { } current) return (schema, 0, false);
        if (current.Spec.Equals(spec)) return (schema, current.Version, true);
        var problems = SchemaCompatibility.Check(DatasetSchema.From(current.Spec), schema);
        if (problems.Count > 0)
        {
            throw new IncompatibleSchemaException($"Schema change of dataset '{spec.Name}' is incompatible: {string.Join("; ", problems)}. Register a new dataset instead, or make the change compatible (add optional columns only).");
        }
        return (schema, current.Version, false);
    }

    /// <summary>The current schema of a dataset, or null if it is not registered.</summary>
    public (DatasetSchema Schema, int Version)? Find(string name)
    {
        if (_current.TryGetValue(name, out var cached)) return cached;
        return store.Get(name) is { } stored ? Cache(DatasetSchema.From(stored.Spec), stored.Version) : null;
    }

    private (DatasetSchema, int) Cache(DatasetSchema schema, int version) => _current[schema.Name] = (schema, version);
}

/// <summary>A schema change would invalidate records or consumers of the current version.</summary>
public sealed class IncompatibleSchemaException(string message) : Exception(message);
