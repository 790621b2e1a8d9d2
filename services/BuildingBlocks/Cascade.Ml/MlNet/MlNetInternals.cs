using System.Reflection;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;

namespace Cascade.Ml.MlNet;

/// <summary>
/// The facts a faithful conversion needs that ML.NET 6.0 keeps internal: how each tree routes a missing value
/// (LightGBM's default direction lives in <c>InternalRegressionTree.DefaultValueForMissing</c>), the sub-models of a
/// one-versus-all model and how that model combines them, and which input columns a Concatenate joins. Read by
/// reflection, and refused loudly if a later ML.NET moves them, rather than converted wrongly.
/// </summary>
internal static class MlNetInternals
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    /// <summary>
    /// The value ML.NET substitutes for NaN at each node before comparing (<c>value &lt;= threshold</c>), or null when
    /// the tree compares NaN itself (so NaN goes right).
    /// </summary>
    public static float[]? MissingValueSubstitutes(RegressionTreeBase tree)
    {
        var inner = Field(typeof(RegressionTreeBase), "_tree").GetValue(tree)
            ?? throw Moved("RegressionTreeBase._tree is null");
        var substitutes = inner.GetType().GetField("DefaultValueForMissing", Instance)
            ?? throw Moved("InternalRegressionTree.DefaultValueForMissing is missing");
        return (float[]?)substitutes.GetValue(inner);
    }

    /// <summary>The per-class models of a one-versus-all model, in class (key) order.</summary>
    public static IReadOnlyList<object> SubModels(OneVersusAllModelParameters model)
    {
        var property = typeof(OneVersusAllModelParameters).GetProperty("SubModelParameters", Instance)
            ?? throw Moved("OneVersusAllModelParameters.SubModelParameters is missing");
        return ((System.Collections.IEnumerable)property.GetValue(model)!).Cast<object>().ToArray();
    }

    /// <summary>How a one-versus-all model turns its sub-models' outputs into class outputs: Raw, ProbabilityNormalization or Softmax.</summary>
    public static string OutputFormula(OneVersusAllModelParameters model)
    {
        var impl = Field(typeof(OneVersusAllModelParameters), "_impl").GetValue(model) ?? throw Moved("OneVersusAllModelParameters._impl is null");
        var formula = impl.GetType().GetField("OutputFormula", Instance) ?? throw Moved("OneVersusAllModelParameters.ImplBase.OutputFormula is missing");
        return formula.GetValue(impl)!.ToString()!;
    }

    /// <summary>The input columns a Concatenate joins into <paramref name="output"/>, in order.</summary>
    public static string[] ConcatenatedColumns(ColumnConcatenatingTransformer concat, string output)
    {
        var property = typeof(ColumnConcatenatingTransformer).GetProperty("Columns", Instance)
            ?? throw Moved("ColumnConcatenatingTransformer.Columns is missing");
        foreach (var column in (System.Collections.IEnumerable)property.GetValue(concat)!)
        {
            var (name, inputs) = ((string, string[]))column;
            if (name == output) return inputs;
        }
        throw Moved($"the Concatenate producing '{output}' does not list it");
    }

    private static FieldInfo Field(Type type, string name) => type.GetField(name, Instance) ?? throw Moved($"{type.Name}.{name} is missing");

    private static NotSupportedException Moved(string what) =>
        new($"This ML.NET build keeps its tree ensembles differently than Microsoft.ML 6.0, which Cascade's converter reads ({what}); convert with Microsoft.ML 6.0.");
}
