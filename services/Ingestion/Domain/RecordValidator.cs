using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Ingestion.V1;
using Google.Protobuf;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.Ingestion.Domain;

/// <summary>Checks one record against its dataset's schema; the first problem found is reported, naming the field.</summary>
public static class RecordValidator
{
    /// <summary>Null when the record is valid, else (field, reason).</summary>
    public static (string Field, string Reason)? Validate(DatasetSchema schema, Record record, int maxRecordBytes)
    {
        if (string.IsNullOrEmpty(record.EntityId))
        {
            return (schema.Spec.EntityColumn, "entity_id is empty: every record needs the entity it belongs to");
        }
        if (record.EventTime is null)
        {
            return (schema.Spec.EventTimeColumn, "event_time is missing");
        }
        if (!IsValid(record.EventTime))
        {
            // Every consumer of the data topic reads it as a date: one it cannot would be retried and dead-lettered there (found by fuzzing).
            return (schema.Spec.EventTimeColumn, $"event_time is not a valid timestamp (seconds {record.EventTime.Seconds}, nanos {record.EventTime.Nanos}): use a time between 0001-01-01 and 9999-12-31 UTC, nanos 0 to 999999999");
        }
        var size = record.CalculateSize();
        if (size > maxRecordBytes)
        {
            return ("record", $"record is {size} bytes, the dataset allows {maxRecordBytes}");
        }
        if (record.HasLabel && string.IsNullOrEmpty(schema.Spec.LabelColumn))
        {
            return ("label", "the dataset declares no label column");
        }
        if (record.HasLabel && !double.IsFinite(record.Label))
        {
            return (schema.Spec.LabelColumn, "the label is NaN or infinite");
        }
        foreach (var (name, value) in record.Values)
        {
            if (!schema.Columns.TryGetValue(name, out var column))
            {
                return (name, $"unknown column; the schema has {string.Join(", ", schema.Columns.Keys)}");
            }
            if (value.KindCase == Value.KindOneofCase.None)
            {
                if (column.Required) return (name, "required column is null");
                continue;
            }
            var expected = column.Type switch
            {
                ValueType.Float64 => Value.KindOneofCase.Float64Value,
                ValueType.Int64 => Value.KindOneofCase.Int64Value,
                ValueType.String => Value.KindOneofCase.StringValue,
                _ => Value.KindOneofCase.BoolValue,
            };
            // An integer is a valid FLOAT64 value: producers in many languages cannot tell 1 from 1.0.
            if (value.KindCase != expected && !(column.Type == ValueType.Float64 && value.KindCase == Value.KindOneofCase.Int64Value))
            {
                return (name, $"expected {column.Type}, got {value.KindCase}");
            }
            if (value.KindCase == Value.KindOneofCase.Float64Value && !double.IsFinite(value.Float64Value)
                && SchemaCompatibility.Policy(schema) == NonFinitePolicy.Reject)
            {
                return (name, "NaN or infinity is not allowed in this dataset (non_finite policy REJECT); send null for a missing value");
            }
        }
        foreach (var (name, column) in schema.Columns)
        {
            if (column.Required && !record.Values.ContainsKey(name))
            {
                return (name, "required column is missing");
            }
        }
        return null;
    }

    /// <summary>Whether the timestamp converts to a date (protobuf's range, 0001-01-01 to 9999-12-31 UTC, nanos normalized).</summary>
    public static bool IsValid(Google.Protobuf.WellKnownTypes.Timestamp time) =>
        time.Seconds is >= -62_135_596_800 and <= 253_402_300_799 && time.Nanos is >= 0 and <= 999_999_999;
}
