using Cascade.Contracts.Ingestion.V1;
using Google.Protobuf.WellKnownTypes;

namespace Cascade.Cli.Ingest;

/// <summary>
/// Turns a row into a record of the dataset, or into the report of the first thing wrong with it (the checks a
/// client can make: values of the right type, required values present, a readable event time). What only the
/// host knows (non-finite numbers under its policy, record size) it checks itself and reports per record.
/// </summary>
internal sealed class RecordMapper(ColumnMapping mapping)
{
    /// <summary>The record, or null with <paramref name="problem"/> saying why not.</summary>
    public Record? Map(SourceRow row, out RowReport? problem)
    {
        problem = null;
        if (row.Problem is not null)
        {
            problem = new RowReport(row.Line, null, row.Problem);
            return null;
        }
        var spec = mapping.Spec;
        var cells = row.Cells;

        var entity = cells[mapping.Entity];
        if (CellConversion.IsMissing(entity))
        {
            problem = new RowReport(row.Line, spec.EntityColumn, "the entity id is empty");
            return null;
        }
        var time = cells[mapping.EventTime];
        if (CellConversion.IsMissing(time))
        {
            problem = new RowReport(row.Line, spec.EventTimeColumn, "the event time is empty");
            return null;
        }
        if (!EventTimes.TryParse(time!, out var eventTime, out var timeProblem))
        {
            problem = new RowReport(row.Line, spec.EventTimeColumn, timeProblem);
            return null;
        }
        var record = new Record { EntityId = CellConversion.Text(entity!), EventTime = Timestamp.FromDateTimeOffset(eventTime) };

        foreach (var (index, column) in mapping.Values)
        {
            var cell = cells[index];
            if (CellConversion.IsMissing(cell))
            {
                if (!column.Required) continue;
                problem = new RowReport(row.Line, column.Name, "a required value is empty");
                return null;
            }
            if (!CellConversion.TryValue(cell!, column.Type, out var value, out var reason))
            {
                problem = new RowReport(row.Line, column.Name, reason);
                return null;
            }
            record.Values[column.Name] = value;
        }

        // An empty label leaves the record unlabeled: its label may come later (SubmitLabels).
        if (mapping.Label >= 0 && !CellConversion.IsMissing(cells[mapping.Label]))
        {
            if (!CellConversion.TryLabel(cells[mapping.Label]!, out var label, out var reason))
            {
                problem = new RowReport(row.Line, spec.LabelColumn, reason);
                return null;
            }
            record.Label = label;
        }

        if (mapping.RecordId >= 0)
        {
            var id = cells[mapping.RecordId];
            if (CellConversion.IsMissing(id))
            {
                problem = new RowReport(row.Line, mapping.Header[mapping.RecordId], "the record id (--id-column) is empty");
                return null;
            }
            record.RecordId = CellConversion.Text(id!);
        }
        // Without --id-column the id stays empty: Ingestion derives it from the record's content (RecordIds), the same
        // for a re-run, the same row in the other file format, or any other client sending it.
        return record;
    }
}
