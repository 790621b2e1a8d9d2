using Cascade.Cli.Specs.Model;
using YamlDotNet.RepresentationModel;

namespace Cascade.Cli.Specs.Yaml;

/// <summary>Reads the <c>spec:</c> of a <c>kind: Dataset</c> document.</summary>
internal static class DatasetReader
{
    public static readonly string[] Fields = ["entity_column", "event_time_column", "label_column", "columns", "non_finite", "max_record_bytes", "partitions"];

    public static readonly string[] ColumnFields = ["name", "type", "required", "sensitive", "privacy"];

    public static DatasetSpecification? Read(YamlNode node, SpecReadContext context)
    {
        if (MappingReader.Open(node, "spec", Fields, context) is not { } spec) return null;
        return new DatasetSpecification(
            spec.String("entity_column", required: true, hint: "the column that identifies the entity, e.g. device_id") ?? "",
            spec.String("event_time_column", required: true, hint: "the column that holds the event time") ?? "",
            spec.String("label_column"),
            spec.List("columns", (item, path) => Column(item, path, context), required: true),
            spec.Choice<NonFiniteHandling>("non_finite") ?? NonFiniteHandling.Reject,
            spec.Int("max_record_bytes"),
            spec.Int("partitions"));
    }

    private static ColumnSpecification? Column(YamlNode node, string path, SpecReadContext context)
    {
        if (MappingReader.Open(node, path, ColumnFields, context) is not { } column) return null;
        var name = column.String("name", required: true);
        var type = column.Choice<ColumnType>("type", required: true);
        var required = column.Bool("required");
        var sensitive = column.Bool("sensitive");
        var privacy = column.Choice<SensitiveTreatment>("privacy");
        if (privacy is not null && !sensitive)
        {
            // privacy alone marks the column sensitive; next to an explicit "sensitive: false" it contradicts it.
            if (column.Find("sensitive") is { } flag)
            {
                context.Error(flag, $"{path}: privacy applies to sensitive columns; remove 'sensitive: false' or the privacy.");
                return null;
            }
            sensitive = true;
        }
        return name is null || type is null ? null : new ColumnSpecification(name, type.Value, required, sensitive, privacy ?? SensitiveTreatment.Hash);
    }
}
