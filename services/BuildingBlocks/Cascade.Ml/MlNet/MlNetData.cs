using Cascade.Ml.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Cascade.Ml.MlNet;

/// <summary>
/// Cascade's rows as ML.NET data views: a float vector column <c>Features</c> in the table's column order (so a tree's
/// feature index is the table's column), the label typed as each task needs it, and the row weights when there are some.
/// </summary>
internal static class MlNetData
{
    public const string Features = "Features";
    public const string Label = "Label";
    public const string Weight = "Weight";

    /// <summary>Training rows for <paramref name="objective"/>: a Boolean label (binary), a float (regression), or a key of <paramref name="numClass"/> values (class c is key c + 1).</summary>
    public static IDataView Training(MLContext context, TabularData data, string objective, int numClass)
    {
        var labels = data.Labels ?? throw new ArgumentException("The training data has no labels.");
        var weights = data.Weights;
        switch (objective)
        {
            case "binary:logistic":
                return context.Data.LoadFromEnumerable(
                    Enumerable.Range(0, data.Rows).Select(r => new BinaryRow { Features = data.Row(r).ToArray(), Label = labels[r] == 1f, Weight = weights?[r] ?? 1f }),
                    Schema<BinaryRow>(data.Columns));
            case "multi:softprob":
                var schema = Schema<ClassRow>(data.Columns);
                schema[Label].ColumnType = new KeyDataViewType(typeof(uint), numClass);
                return context.Data.LoadFromEnumerable(
                    Enumerable.Range(0, data.Rows).Select(r => new ClassRow { Features = data.Row(r).ToArray(), Label = (uint)labels[r] + 1, Weight = weights?[r] ?? 1f }),
                    schema);
            default:
                return context.Data.LoadFromEnumerable(
                    Enumerable.Range(0, data.Rows).Select(r => new ValueRow { Features = data.Row(r).ToArray(), Label = labels[r], Weight = weights?[r] ?? 1f }),
                    Schema<ValueRow>(data.Columns));
        }
    }

    /// <summary>Rows to predict: the features only, in a column named <paramref name="featureColumn"/>.</summary>
    public static IDataView Rows(MLContext context, TabularData data, string featureColumn = Features)
    {
        var schema = Schema<FeatureRow>(data.Columns);
        schema[nameof(FeatureRow.Features)].ColumnName = featureColumn;
        return context.Data.LoadFromEnumerable(Enumerable.Range(0, data.Rows).Select(r => new FeatureRow { Features = data.Row(r).ToArray() }), schema);
    }

    /// <summary>A float column of <paramref name="predictions"/>, or a float vector column flattened row-major.</summary>
    public static float[] Column(IDataView predictions, string name, int rows, int width)
    {
        var values = new float[rows * width];
        var column = predictions.Schema[name];
        using var cursor = predictions.GetRowCursor([column]);
        var row = 0;
        if (column.Type is VectorDataViewType)
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> buffer = default;
            while (cursor.MoveNext())
            {
                getter(ref buffer);
                if (buffer.Length != width) throw new InvalidOperationException($"ML.NET's {name} has {buffer.Length} values per row, the model {width}.");
                buffer.DenseValues().ToArray().CopyTo(values, row++ * width);
            }
        }
        else
        {
            var getter = cursor.GetGetter<float>(column);
            var value = 0f;
            while (cursor.MoveNext())
            {
                getter(ref value);
                values[row++] = value;
            }
        }
        return row == rows ? values : throw new InvalidOperationException($"ML.NET predicted {row} rows of {rows}.");
    }

    private static SchemaDefinition Schema<T>(int featureCount)
    {
        var schema = SchemaDefinition.Create(typeof(T));
        schema[Features].ColumnType = new VectorDataViewType(NumberDataViewType.Single, featureCount);
        return schema;
    }

    private sealed class FeatureRow
    {
        public float[] Features { get; set; } = [];
    }

    private sealed class BinaryRow
    {
        public float[] Features { get; set; } = [];
        public bool Label { get; set; }
        public float Weight { get; set; }
    }

    private sealed class ValueRow
    {
        public float[] Features { get; set; } = [];
        public float Label { get; set; }
        public float Weight { get; set; }
    }

    private sealed class ClassRow
    {
        public float[] Features { get; set; } = [];
        public uint Label { get; set; }
        public float Weight { get; set; }
    }
}
