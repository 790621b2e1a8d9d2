using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Ingestion.Domain;
using Google.Protobuf.WellKnownTypes;
using ValueType = Cascade.Contracts.Common.V1.ValueType;
using Record = Cascade.Contracts.Ingestion.V1.Record;
using Value = Cascade.Contracts.Common.V1.Value;

namespace Cascade.Ingestion.Tests;

public class SchemaTests
{
    internal static DatasetSpec Spec(params (string Name, ValueType Type, bool Required)[] columns)
    {
        var spec = new DatasetSpec { Name = "sensors", EntityColumn = "device", EventTimeColumn = "time", LabelColumn = "label" };
        foreach (var (name, type, required) in columns)
        {
            spec.Columns.Add(new ColumnSpec { Name = name, Type = type, Required = required });
        }
        return spec;
    }

    private static DatasetSchema Schema(params (string, ValueType, bool)[] columns) => DatasetSchema.From(Spec(columns));

    [Fact]
    public void Adding_an_optional_column_is_compatible() =>
        SchemaCompatibility.Check(Schema(("x", ValueType.Float64, true)), Schema(("x", ValueType.Float64, true), ("y", ValueType.String, false))).Should().BeEmpty();

    [Fact]
    public void Removing_retyping_or_requiring_columns_is_incompatible()
    {
        var current = Schema(("x", ValueType.Float64, true), ("y", ValueType.Int64, false));
        SchemaCompatibility.Check(current, Schema(("x", ValueType.Float64, true))).Should().ContainSingle().Which.Should().Contain("'y' is removed");
        SchemaCompatibility.Check(current, Schema(("x", ValueType.String, true), ("y", ValueType.Int64, false))).Should().ContainSingle().Which.Should().Contain("changes type");
        SchemaCompatibility.Check(current, Schema(("x", ValueType.Float64, true), ("y", ValueType.Int64, true))).Should().ContainSingle().Which.Should().Contain("becomes required");
        SchemaCompatibility.Check(current, Schema(("x", ValueType.Float64, true), ("y", ValueType.Int64, false), ("z", ValueType.Bool, true))).Should().ContainSingle().Which.Should().Contain("must be optional");
    }

    [Theory]
    [InlineData("Bad Name")]
    [InlineData("")]
    [InlineData("1starts-with-digit")]
    public void Invalid_dataset_names_are_refused(string name)
    {
        var spec = Spec(("x", ValueType.Float64, true));
        spec.Name = name;
        ((Action)(() => DatasetSchema.From(spec))).Should().Throw<ArgumentException>().WithMessage("*Dataset name*");
    }

    [Fact]
    public void Records_are_checked_for_entity_types_required_columns_unknown_columns_and_non_finite_values()
    {
        var schema = Schema(("x", ValueType.Float64, true), ("n", ValueType.Int64, false));
        Record Valid() => new() { EntityId = "e", EventTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch), Values = { ["x"] = new Value { Float64Value = 1 } } };

        RecordValidator.Validate(schema, Valid(), 1024).Should().BeNull();
        var noEntity = Valid(); noEntity.EntityId = "";
        RecordValidator.Validate(schema, noEntity, 1024)!.Value.Reason.Should().Contain("entity_id is empty");
        var wrongType = Valid(); wrongType.Values["n"] = new Value { StringValue = "seven" };
        RecordValidator.Validate(schema, wrongType, 1024)!.Value.Should().Be(("n", "expected Int64, got StringValue"));
        var missing = Valid(); missing.Values.Remove("x");
        RecordValidator.Validate(schema, missing, 1024)!.Value.Should().Be(("x", "required column is missing"));
        var unknown = Valid(); unknown.Values["zzz"] = new Value { BoolValue = true };
        RecordValidator.Validate(schema, unknown, 1024)!.Value.Field.Should().Be("zzz");
        var nan = Valid(); nan.Values["x"] = new Value { Float64Value = double.NaN };
        RecordValidator.Validate(schema, nan, 1024)!.Value.Reason.Should().Contain("NaN or infinity is not allowed");
        RecordValidator.Validate(schema, Valid(), 10)!.Value.Reason.Should().Contain("the dataset allows 10");
    }

    [Fact]
    public void Derived_record_ids_depend_on_content_not_on_map_order()
    {
        var a = new Record { EntityId = "e", EventTime = new Timestamp { Seconds = 5 }, Values = { ["x"] = new Value { Float64Value = 1 }, ["y"] = new Value { Float64Value = 2 } } };
        var b = new Record { EntityId = "e", EventTime = new Timestamp { Seconds = 5 }, Values = { ["y"] = new Value { Float64Value = 2 }, ["x"] = new Value { Float64Value = 1 } } };
        RecordIds.For(a).Should().Be(RecordIds.For(b));
        b.Values["y"] = new Value { Float64Value = 3 };
        RecordIds.For(a).Should().NotBe(RecordIds.For(b));

        // Every part carries its length: texts that only concatenate alike are different records.
        var c = new Record { EntityId = "e", EventTime = new Timestamp { Seconds = 5 }, Values = { ["k"] = new Value { StringValue = "ab" }, ["l"] = new Value { StringValue = "c" } } };
        var d = new Record { EntityId = "e", EventTime = new Timestamp { Seconds = 5 }, Values = { ["k"] = new Value { StringValue = "a" }, ["l"] = new Value { StringValue = "bc" } } };
        RecordIds.For(c).Should().NotBe(RecordIds.For(d));
    }
}
