using Cascade.Contracts.Ingestion.V1;

namespace Cascade.Ingestion.Domain;

/// <summary>
/// Decides whether a new schema version may replace the current one. Compatible: adding optional columns,
/// making a required column optional, a larger record limit. Anything that would make records valid
/// under the old version invalid (or read differently) under the new one is incompatible.
/// </summary>
public static class SchemaCompatibility
{
    /// <summary>The reasons the change is incompatible; empty when it is compatible.</summary>
    public static IReadOnlyList<string> Check(DatasetSchema current, DatasetSchema next)
    {
        var problems = new List<string>();
        if (current.Spec.EntityColumn != next.Spec.EntityColumn) problems.Add($"entity_column changes from '{current.Spec.EntityColumn}' to '{next.Spec.EntityColumn}'");
        if (current.Spec.EventTimeColumn != next.Spec.EventTimeColumn) problems.Add($"event_time_column changes from '{current.Spec.EventTimeColumn}' to '{next.Spec.EventTimeColumn}'");
        if (current.Spec.LabelColumn != next.Spec.LabelColumn) problems.Add($"label_column changes from '{current.Spec.LabelColumn}' to '{next.Spec.LabelColumn}'");
        if (next.Spec.Partitions != 0 && current.Spec.Partitions != 0 && next.Spec.Partitions != current.Spec.Partitions) problems.Add("the partition count of an existing topic cannot change");
        foreach (var (name, column) in current.Columns)
        {
            if (!next.Columns.TryGetValue(name, out var replacement))
            {
                problems.Add($"column '{name}' is removed");
            }
            else if (replacement.Type != column.Type)
            {
                problems.Add($"column '{name}' changes type from {column.Type} to {replacement.Type}");
            }
            else if (replacement.Required && !column.Required)
            {
                problems.Add($"column '{name}' becomes required");
            }
        }
        foreach (var (name, column) in next.Columns)
        {
            if (!current.Columns.ContainsKey(name) && column.Required)
            {
                problems.Add($"new column '{name}' is required (new columns must be optional)");
            }
        }
        if (Policy(current) == NonFinitePolicy.AsMissing && Policy(next) == NonFinitePolicy.Reject) problems.Add("the NaN/infinity policy becomes stricter");
        if (next.Spec.MaxRecordBytes != 0 && (current.Spec.MaxRecordBytes == 0 || next.Spec.MaxRecordBytes < current.Spec.MaxRecordBytes)) problems.Add("max_record_bytes shrinks");
        return problems;
    }

    /// <summary>The effective policy: unspecified means reject.</summary>
    public static NonFinitePolicy Policy(DatasetSchema schema) =>
        schema.Spec.NonFinite == NonFinitePolicy.Unspecified ? NonFinitePolicy.Reject : schema.Spec.NonFinite;
}
