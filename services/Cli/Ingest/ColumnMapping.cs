using Cascade.Contracts.Ingestion.V1;

namespace Cascade.Cli.Ingest;

/// <summary>
/// Where each part of a record comes from in a file: the file's header matched by name to the dataset's schema.
/// Built once, before any row is read, so a file that cannot fit the dataset is refused before anything is sent.
/// </summary>
internal sealed class ColumnMapping
{
    private ColumnMapping(DatasetSpec spec, IReadOnlyList<string> header)
    {
        Spec = spec;
        Header = header;
    }

    public DatasetSpec Spec { get; }

    /// <summary>The file's column names (reports name cells by them).</summary>
    public IReadOnlyList<string> Header { get; }

    public int Entity { get; private init; }

    public int EventTime { get; private init; }

    /// <summary>The label's position, or -1 when labels are not ingested.</summary>
    public int Label { get; private init; } = -1;

    /// <summary>The record id's position (<c>--id-column</c>), or -1 for ids derived from the content.</summary>
    public int RecordId { get; private init; } = -1;

    /// <summary>The dataset's value columns the file has, with their position.</summary>
    public IReadOnlyList<(int Index, ColumnSpec Column)> Values { get; private init; } = [];

    /// <summary>Positions of every cell a record needs (the readers skip the others).</summary>
    public IReadOnlyCollection<int> Needed { get; private init; } = [];

    /// <summary>Things worth a warning that do not stop the ingestion, one line each.</summary>
    public IReadOnlyList<string> Warnings { get; private init; } = [];

    /// <summary>Matches a header to a dataset.</summary>
    /// <exception cref="IngestUsageException">A column the records need is missing from the header, or an option names one that is.</exception>
    public static ColumnMapping Create(DatasetSpec spec, IReadOnlyList<string> header, bool labels, string? idColumn)
    {
        var positions = header.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        int Find(string name) => positions.TryGetValue(name, out var i) ? i : -1;

        var missing = new List<string>();
        if (Find(spec.EntityColumn) < 0) missing.Add($"{spec.EntityColumn} (the entity column)");
        if (Find(spec.EventTimeColumn) < 0) missing.Add($"{spec.EventTimeColumn} (the event-time column)");
        missing.AddRange(spec.Columns.Where(c => c.Required && Find(c.Name) < 0).Select(c => c.Name));
        if (labels)
        {
            if (string.IsNullOrEmpty(spec.LabelColumn))
            {
                throw new IngestUsageException($"--labels: dataset '{spec.Name}' declares no label column; leave --labels out, or register the dataset with a label column.");
            }
            if (Find(spec.LabelColumn) < 0) missing.Add($"{spec.LabelColumn} (the label column, asked for by --labels)");
        }
        if (!string.IsNullOrEmpty(idColumn) && Find(idColumn) < 0) missing.Add($"{idColumn} (named by --id-column)");
        if (missing.Count > 0)
        {
            throw new IngestUsageException($"the file's header lacks required column(s) of dataset '{spec.Name}': {string.Join(", ", missing)}. The header has: {string.Join(", ", header)}.");
        }

        var warnings = new List<string>();
        var known = new HashSet<string>(StringComparer.Ordinal) { spec.EntityColumn, spec.EventTimeColumn };
        known.UnionWith(spec.Columns.Select(c => c.Name));
        if (!string.IsNullOrEmpty(idColumn)) known.Add(idColumn);
        if (!string.IsNullOrEmpty(spec.LabelColumn))
        {
            known.Add(spec.LabelColumn);
            if (!labels && Find(spec.LabelColumn) >= 0)
            {
                warnings.Add($"column {spec.LabelColumn} is the dataset's label column: ignored without --labels");
            }
        }
        var undeclared = header.Where(h => !known.Contains(h)).ToArray();
        if (undeclared.Length > 0)
        {
            warnings.Add($"dataset '{spec.Name}' does not declare column(s) {string.Join(", ", undeclared)}: ignored");
        }

        var values = spec.Columns.Where(c => Find(c.Name) >= 0).Select(c => (Find(c.Name), c)).ToArray();
        var label = labels ? Find(spec.LabelColumn) : -1;
        var recordId = string.IsNullOrEmpty(idColumn) ? -1 : Find(idColumn);
        var needed = new SortedSet<int> { Find(spec.EntityColumn), Find(spec.EventTimeColumn) };
        needed.UnionWith(values.Select(v => v.Item1));
        if (label >= 0) needed.Add(label);
        if (recordId >= 0) needed.Add(recordId);
        return new ColumnMapping(spec, header)
        {
            Entity = Find(spec.EntityColumn),
            EventTime = Find(spec.EventTimeColumn),
            Label = label,
            RecordId = recordId,
            Values = values,
            Needed = needed,
            Warnings = warnings,
        };
    }
}
