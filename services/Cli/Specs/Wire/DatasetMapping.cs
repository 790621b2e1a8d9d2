using Cascade.Cli.Specs.Model;
using Cascade.Contracts.Ingestion.V1;
using ColumnPrivacy = Cascade.Contracts.Common.V1.ColumnPrivacy;
using WireType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.Cli.Specs.Wire;

/// <summary>Dataset specs to and from Ingestion's <see cref="DatasetSpec"/>; every field explicit, so equal specs make equal messages.</summary>
internal static class DatasetMapping
{
    public static DatasetSpec ToProto(string name, DatasetSpecification dataset)
    {
        var spec = new DatasetSpec
        {
            Name = name,
            EntityColumn = dataset.EntityColumn,
            EventTimeColumn = dataset.EventTimeColumn,
            LabelColumn = dataset.LabelColumn ?? "",
            NonFinite = dataset.NonFinite == NonFiniteHandling.AsMissing ? NonFinitePolicy.AsMissing : NonFinitePolicy.Reject,
            MaxRecordBytes = dataset.MaxRecordBytes,
            Partitions = dataset.Partitions,
        };
        // privacy stays unspecified for hash (Ingestion's default for a sensitive column), so datasets written before
        // privacy existed keep the same spec and no apply makes a new schema version of them.
        spec.Columns.AddRange(dataset.Columns.Select(c => new ColumnSpec
        {
            Name = c.Name, Type = ToProto(c.Type), Required = c.Required, Sensitive = c.Sensitive,
            Privacy = c.Sensitive && c.Privacy == SensitiveTreatment.Drop ? ColumnPrivacy.Drop : ColumnPrivacy.Unspecified,
        }));
        return spec;
    }

    /// <exception cref="InvalidDataException">A column without a type (Ingestion refuses those, so the host is not Cascade's).</exception>
    public static SpecObject FromProto(DatasetSpec spec) => new(spec.Name, new DatasetSpecification(
        spec.EntityColumn,
        spec.EventTimeColumn,
        string.IsNullOrEmpty(spec.LabelColumn) ? null : spec.LabelColumn,
        spec.Columns.Select(c => new ColumnSpecification(c.Name, FromProto(c.Type, spec.Name, c.Name), c.Required, c.Sensitive,
            c.Privacy == ColumnPrivacy.Drop ? SensitiveTreatment.Drop : SensitiveTreatment.Hash)).ToArray(),
        // Unspecified is Ingestion's default, which is to reject.
        spec.NonFinite == NonFinitePolicy.AsMissing ? NonFiniteHandling.AsMissing : NonFiniteHandling.Reject,
        spec.MaxRecordBytes,
        spec.Partitions));

    private static WireType ToProto(ColumnType type) => type switch
    {
        ColumnType.Float64 => WireType.Float64,
        ColumnType.Int64 => WireType.Int64,
        ColumnType.String => WireType.String,
        ColumnType.Bool => WireType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    private static ColumnType FromProto(WireType type, string dataset, string column) => type switch
    {
        WireType.Float64 => ColumnType.Float64,
        WireType.Int64 => ColumnType.Int64,
        WireType.String => ColumnType.String,
        WireType.Bool => ColumnType.Bool,
        _ => throw new InvalidDataException($"Dataset '{dataset}': column '{column}' has type {type}, which a spec cannot express."),
    };
}
