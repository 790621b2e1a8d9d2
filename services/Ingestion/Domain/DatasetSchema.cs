using ValueType = Cascade.Contracts.Common.V1.ValueType;
using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Ingestion.V1;

namespace Cascade.Ingestion.Domain;

/// <summary>A validated dataset spec: the entity and event-time columns, typed feature columns, an optional label.</summary>
public sealed class DatasetSchema
{
    private DatasetSchema(DatasetSpec spec, IReadOnlyDictionary<string, ColumnSpec> columns)
    {
        Spec = spec;
        Columns = columns;
    }

    public DatasetSpec Spec { get; }

    /// <summary>Columns by name (entity, event time and label are not among them).</summary>
    public IReadOnlyDictionary<string, ColumnSpec> Columns { get; }

    public string Name => Spec.Name;

    /// <summary>Validates a spec from a client.</summary>
    /// <exception cref="ArgumentException">What is wrong with the spec, and how to fix it.</exception>
    public static DatasetSchema From(DatasetSpec spec)
    {
        if (!Cascade.Contracts.ResourceNames.IsValid(spec.Name))
        {
            throw new ArgumentException($"Dataset name '{spec.Name}' is invalid: use 1–64 lower-case letters, digits, '-' or '_', starting with a letter (it becomes part of a topic name).");
        }
        if (string.IsNullOrWhiteSpace(spec.EntityColumn))
        {
            throw new ArgumentException("entity_column is required: name the column that identifies the entity (e.g. device_id).");
        }
        if (string.IsNullOrWhiteSpace(spec.EventTimeColumn))
        {
            throw new ArgumentException("event_time_column is required: name the column that holds the event time.");
        }
        if (spec.Columns.Count == 0)
        {
            throw new ArgumentException("A dataset needs at least one column.");
        }
        var columns = new Dictionary<string, ColumnSpec>(StringComparer.Ordinal);
        foreach (var column in spec.Columns)
        {
            if (string.IsNullOrWhiteSpace(column.Name))
            {
                throw new ArgumentException("Every column needs a name.");
            }
            if (column.Type == ValueType.Unspecified)
            {
                throw new ArgumentException($"Column '{column.Name}' has no type: set FLOAT64, INT64, STRING or BOOL.");
            }
            if (column.Name == spec.EntityColumn || column.Name == spec.EventTimeColumn || column.Name == spec.LabelColumn)
            {
                throw new ArgumentException($"Column '{column.Name}' is the entity, event-time or label column: list only value columns.");
            }
            if (!columns.TryAdd(column.Name, column))
            {
                throw new ArgumentException($"Column '{column.Name}' is declared twice.");
            }
            if (column.Privacy != ColumnPrivacy.Unspecified && !column.Sensitive)
            {
                // Refused rather than guessed: a column whose flag says "not sensitive" must not be treated as sensitive, nor the reverse.
                throw new ArgumentException($"Column '{column.Name}' sets privacy {column.Privacy} but is not marked sensitive: set sensitive to true (privacy says how a sensitive column is treated), or drop privacy.");
            }
            if (!Enum.IsDefined(column.Privacy))
            {
                throw new ArgumentException($"Column '{column.Name}' has an unknown privacy ({(int)column.Privacy}): use HASH or DROP.");
            }
        }
        if (spec.MaxRecordBytes < 0 || spec.Partitions < 0)
        {
            throw new ArgumentException("max_record_bytes and partitions must not be negative (0 = default).");
        }
        if (spec.Partitions > MaxPartitions)
        {
            // Every append, watermark and consumer goes over all of a topic's partitions: a client asking for
            // int.MaxValue made each of them allocate gigabytes and hold the host (found by fuzzing).
            throw new ArgumentException($"partitions is {spec.Partitions}; a dataset's topic may have at most {MaxPartitions}.");
        }
        return new DatasetSchema(spec, columns);
    }

    /// <summary>The most partitions a dataset's topic may have.</summary>
    public const int MaxPartitions = 1024;
}
