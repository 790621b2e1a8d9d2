using System.Globalization;
using Cascade.Ml.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Cascade.Ml.MlNet;

/// <summary>
/// An ML.NET model saved with <c>mlContext.Model.Save</c> (a <c>.zip</c>): its trained predictor, which input columns
/// its trees read and in what order, and how its class outputs map to class indices. The transforms before the trees
/// may only assemble the feature vector (Concatenate) or touch other columns (the label's key mapping): a transform
/// that computes feature values (normalising, encoding) is refused, since Cascade serves the trees alone.
/// </summary>
internal sealed class MlNetModelFile
{
    private MlNetModelFile(MLContext context, ISingleFeaturePredictionTransformer<object> predictor, int featureCount, IReadOnlyList<string>? featureNames, IReadOnlyList<int>? classGroups, IReadOnlyList<string>? classNames)
    {
        Context = context;
        Predictor = predictor;
        FeatureCount = featureCount;
        FeatureNames = featureNames;
        ClassGroups = classGroups;
        ClassNames = classNames;
    }

    public MLContext Context { get; }

    public ISingleFeaturePredictionTransformer<object> Predictor { get; }

    public int FeatureCount { get; }

    /// <summary>The input columns the feature vector is made of (or its slot names), in vector order; null when the model does not say.</summary>
    public IReadOnlyList<string>? FeatureNames { get; }

    /// <summary>For a multi-class model whose classes are the numbers 0…K−1 in another order: the class index of each output; else null.</summary>
    public IReadOnlyList<int>? ClassGroups { get; }

    /// <summary>The class names of a multi-class model whose classes are not the numbers 0…K−1 (outputs follow this order); else null.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>Loads a saved model.</summary>
    /// <exception cref="NotSupportedException">Not an ML.NET model, no trained predictor, or transforms that compute features.</exception>
    public static MlNetModelFile Load(byte[] zip)
    {
        var context = new MLContext(seed: 0);
        ITransformer model;
        DataViewSchema input;
        try
        {
            model = context.Model.Load(new MemoryStream(zip, writable: false), out input);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new NotSupportedException($"ML.NET cannot load it as a model saved by mlContext.Model.Save ({ex.Message}).", ex);
        }
        var steps = Flatten(model).ToList();
        var predictorAt = steps.FindLastIndex(s => s is ISingleFeaturePredictionTransformer<object>);
        if (predictorAt < 0)
        {
            throw new NotSupportedException("The model holds no trained predictor (no binary, regression or multi-class trainer's output).");
        }
        var predictor = (ISingleFeaturePredictionTransformer<object>)steps[predictorAt];
        if (predictor.FeatureColumnType is not VectorDataViewType { ItemType: NumberDataViewType number, Size: > 0 } vector || number != NumberDataViewType.Single)
        {
            throw new NotSupportedException($"The trees read '{predictor.FeatureColumnName}' as {predictor.FeatureColumnType}; Cascade needs a float vector of known size.");
        }

        var schema = input;
        var produced = new List<(ITransformer Step, HashSet<string> Columns)>();
        foreach (var step in steps.Take(predictorAt))
        {
            var output = step.GetOutputSchema(schema);
            produced.Add((step, Produced(schema, output)));
            schema = output;
        }
        var names = FeatureSources(input, predictor.FeatureColumnName, vector.Size, produced);
        var (groups, classNames) = Classes(predictor, schema);
        return new MlNetModelFile(context, predictor, vector.Size, names, groups, classNames);
    }

    /// <summary>The names of the feature vector's slots: the Concatenate's input columns, or the input vector's slot names.</summary>
    private static IReadOnlyList<string>? FeatureSources(DataViewSchema input, string featureColumn, int size, List<(ITransformer Step, HashSet<string> Columns)> produced)
    {
        var assembling = produced.LastOrDefault(p => p.Columns.Contains(featureColumn));
        string[] sources;
        if (assembling.Step is null)
        {
            sources = [featureColumn];
        }
        else if (assembling.Step is ColumnConcatenatingTransformer concat)
        {
            sources = MlNetInternals.ConcatenatedColumns(concat, featureColumn);
        }
        else
        {
            throw new NotSupportedException($"The pipeline computes the feature vector '{featureColumn}' with a {assembling.Step.GetType().Name}; Cascade serves the trees alone, so import a model whose trees read float input columns as they are (Concatenate them, nothing else).");
        }
        var computed = produced.FirstOrDefault(p => p.Step != assembling.Step && p.Columns.Overlaps(sources));
        if (computed.Step is not null)
        {
            throw new NotSupportedException($"The pipeline computes feature column(s) {string.Join(", ", computed.Columns.Intersect(sources))} with a {computed.Step.GetType().Name} before the trees; Cascade serves the trees alone, so import a model whose trees read float input columns as they are.");
        }
        var names = new List<string>();
        foreach (var source in sources)
        {
            var column = input.GetColumnOrNull(source) ?? throw new NotSupportedException($"The feature column '{source}' is not an input of the model.");
            switch (column.Type)
            {
                case NumberDataViewType n when n == NumberDataViewType.Single:
                    names.Add(source);
                    break;
                case VectorDataViewType { ItemType: NumberDataViewType n, Size: > 0 } v when n == NumberDataViewType.Single:
                    var slots = SlotNames(column, v.Size);
                    if (slots is null && sources.Length == 1)
                    {
                        // One unnamed vector: the names must come from the user (--features).
                        return null;
                    }
                    names.AddRange(slots ?? Enumerable.Range(0, v.Size).Select(i => $"{source}_{i}"));
                    break;
                default:
                    throw new NotSupportedException($"The feature column '{source}' is {column.Type}; Cascade's features are float32 numbers.");
            }
        }
        return names.Count == size ? names : throw new NotSupportedException($"The feature columns make {names.Count} values; the trees read {size}.");
    }

    private static string[]? SlotNames(DataViewSchema.Column column, int size)
    {
        if (!column.HasSlotNames()) return null;
        VBuffer<ReadOnlyMemory<char>> slots = default;
        column.GetSlotNames(ref slots);
        var names = slots.DenseValues().Select(s => s.ToString()).ToArray();
        return names.Length == size && names.All(n => n.Length > 0) && names.Distinct().Count() == size ? names : null;
    }

    /// <summary>
    /// How the class outputs map to classes, from the label values ML.NET trained on (in output order): values 0…K−1 in
    /// any order give the class index of each output; other values (names) are kept in output order.
    /// </summary>
    private static (IReadOnlyList<int>? Groups, IReadOnlyList<string>? Names) Classes(ISingleFeaturePredictionTransformer<object> predictor, DataViewSchema before)
    {
        if (predictor.Model is not Microsoft.ML.Trainers.OneVersusAllModelParameters)
        {
            return (null, null);
        }
        var score = predictor.GetOutputSchema(before).GetColumnOrNull("Score");
        if (score is not { } column || TrainingLabelValues(column) is not { } names)
        {
            return (null, null);
        }
        var numbers = names.Select(n => int.TryParse(n, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : -1).ToArray();
        return numbers.Order().SequenceEqual(Enumerable.Range(0, names.Length)) ? (numbers, null) : (null, names);
    }

    /// <summary>The label value of each class output (ML.NET's <c>TrainingLabelValues</c> annotation), as text; null when absent.</summary>
    private static string[]? TrainingLabelValues(DataViewSchema.Column score)
    {
        const string kind = "TrainingLabelValues";
        if (score.Annotations.Schema.GetColumnOrNull(kind) is not { Type: VectorDataViewType { ItemType: var item } })
        {
            return null;
        }
        return item switch
        {
            TextDataViewType => Values<ReadOnlyMemory<char>>(score, kind).Select(v => v.ToString()).ToArray(),
            NumberDataViewType n when n == NumberDataViewType.Single => Values<float>(score, kind).Select(v => v.ToString("R", CultureInfo.InvariantCulture)).ToArray(),
            NumberDataViewType n when n == NumberDataViewType.Double => Values<double>(score, kind).Select(v => v.ToString("R", CultureInfo.InvariantCulture)).ToArray(),
            NumberDataViewType n when n == NumberDataViewType.Int32 => Values<int>(score, kind).Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray(),
            NumberDataViewType n when n == NumberDataViewType.Int64 => Values<long>(score, kind).Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray(),
            NumberDataViewType n when n == NumberDataViewType.UInt32 => Values<uint>(score, kind).Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray(),
            BooleanDataViewType => Values<bool>(score, kind).Select(v => v ? "true" : "false").ToArray(),
            _ => null,
        };
    }

    private static T[] Values<T>(DataViewSchema.Column column, string kind)
    {
        VBuffer<T> values = default;
        column.Annotations.GetValue(kind, ref values);
        return values.DenseValues().ToArray();
    }

    /// <summary>Columns a step adds or redefines (a redefined column hides the input's of the same name).</summary>
    private static HashSet<string> Produced(DataViewSchema input, DataViewSchema output)
    {
        var produced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in output.Where(c => !c.IsHidden))
        {
            var before = input.GetColumnOrNull(column.Name);
            if (before is null || output.Any(c => c.IsHidden && c.Name == column.Name) || !before.Value.Type.Equals(column.Type))
            {
                produced.Add(column.Name);
            }
        }
        return produced;
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer model) => model is IEnumerable<ITransformer> chain
        ? chain.SelectMany(Flatten)
        : [model];

    /// <summary>ML.NET's predictions of <paramref name="rows"/>, in Cascade's terms and output order.</summary>
    public float[] Predict(TabularData rows, ConvertedEnsemble ensemble) =>
        MlNetReference.Predict(Context, Predictor, rows, ensemble, OneVersusAllOutputs.AsMlNet, ClassGroups);
}
