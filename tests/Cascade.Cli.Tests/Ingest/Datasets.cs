using Cascade.Contracts.Ingestion.V1;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.Cli.Tests.Ingest;

/// <summary>The dataset the ingest tests load: one column of each type, one of them required, and a label.</summary>
internal static class Datasets
{
    public static DatasetSpec Sensors(string name = "sensors") => new()
    {
        Name = name,
        EntityColumn = "device_id",
        EventTimeColumn = "ts",
        LabelColumn = "label",
        NonFinite = NonFinitePolicy.Reject,
        Columns =
        {
            new ColumnSpec { Name = "temp", Type = ValueType.Float64, Required = true },
            new ColumnSpec { Name = "count", Type = ValueType.Int64 },
            new ColumnSpec { Name = "site", Type = ValueType.String },
            new ColumnSpec { Name = "ok", Type = ValueType.Bool },
        },
    };
}
