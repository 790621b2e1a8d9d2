using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;

namespace Cascade.Ml.MlNet;

/// <summary>
/// The facts a faithful conversion needs that ML.NET 6.0 keeps internal: how each tree routes a missing value
/// (LightGBM's default direction lives in <c>InternalRegressionTree.DefaultValueForMissing</c>), the sub-models of a
/// one-versus-all model and how that model combines them, and which input columns a Concatenate joins; and what a
/// training job needs to watch and stop a fit: <c>MLContext.CancelExecution</c> and the context's progress tracker.
/// Read by reflection, and refused loudly if a later ML.NET moves them, rather than converted wrongly.
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

    /// <summary>
    /// What asks every computation of <paramref name="context"/> to stop (<c>MLContext.CancelExecution</c>, which ML.NET
    /// keeps for its Experimental package): FastTree checks between trees and LightGbm between iterations, and the
    /// fit then throws an <see cref="OperationCanceledException"/>. A context stays cancelled. Resolved here, so a
    /// moved method is refused before a fit starts rather than when a job is cancelled.
    /// </summary>
    public static Action CancellationOf(MLContext context)
    {
        var method = typeof(MLContext).GetMethod("CancelExecution", Instance, Type.EmptyTypes) ?? throw Moved("MLContext.CancelExecution is missing");
        return () => method.Invoke(context, null);
    }

    /// <summary>
    /// Pulls the progress of <paramref name="context"/>'s computations as its progress tracker reports them (the one a
    /// console host polls): for each, its index, whether it ended, and its first progress unit's name, value and limit
    /// (<c>trees</c> of FastTree training, <c>iterations</c> of LightGbm's). Each call calls the trainers' progress
    /// callbacks on the caller's thread; ended computations are reported once.
    /// </summary>
    public static Func<IReadOnlyList<MlNetProgressEvent>> ProgressOf(MLContext context)
    {
        var environment = Field(typeof(MLContext), "_env").GetValue(context) ?? throw Moved("MLContext._env is null");
        var tracker = FieldInHierarchy(environment.GetType(), "ProgressTracker").GetValue(environment) ?? throw Moved("the environment's ProgressTracker is null");
        var getAll = tracker.GetType().GetMethod("GetAllProgress", Instance, Type.EmptyTypes) ?? throw Moved("ProgressTracker.GetAllProgress is missing");
        return () =>
        {
            var events = new List<MlNetProgressEvent>();
            foreach (var progress in (System.Collections.IEnumerable)getAll.Invoke(tracker, null)!)
            {
                var type = progress.GetType();
                var index = (int)(type.GetField("Index", Instance) ?? throw Moved("ProgressEvent.Index is missing")).GetValue(progress)!;
                var kind = (type.GetField("Kind", Instance) ?? throw Moved("ProgressEvent.Kind is missing")).GetValue(progress)!.ToString();
                var entry = (type.GetField("ProgressEntry", Instance) ?? throw Moved("ProgressEvent.ProgressEntry is missing")).GetValue(progress);
                if (entry is null)
                {
                    events.Add(new MlNetProgressEvent(index, kind == "Stop", null, null, null, null));
                    continue;
                }
                var entryType = entry.GetType();
                var header = (entryType.GetField("Header", Instance) ?? throw Moved("ProgressEntry.Header is missing")).GetValue(entry) as Microsoft.ML.Runtime.ProgressHeader;
                var done = (double?[]?)(entryType.GetField("Progress", Instance) ?? throw Moved("ProgressEntry.Progress is missing")).GetValue(entry);
                var limit = (double?[]?)(entryType.GetField("ProgressLim", Instance) ?? throw Moved("ProgressEntry.ProgressLim is missing")).GetValue(entry);
                var metrics = (double?[]?)(entryType.GetField("Metrics", Instance) ?? throw Moved("ProgressEntry.Metrics is missing")).GetValue(entry);
                // LightGbm's checkpoints (every 50 iterations) carry the count as a metric named "Iteration", and while
                // one is pending the tracker reports it instead of pulling the current progress.
                var iteration = header?.MetricNames.ToList().IndexOf("Iteration") is >= 0 and var at && metrics is not null && at < metrics.Length ? metrics[at] : null;
                events.Add(new MlNetProgressEvent(index, kind == "Stop", header?.UnitNames.FirstOrDefault(), done is { Length: > 0 } ? done[0] : null, limit is { Length: > 0 } ? limit[0] : null, iteration));
            }
            return events;
        };
    }

    private static FieldInfo FieldInHierarchy(Type type, string name)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.GetField(name, Instance | BindingFlags.DeclaredOnly) is { } field) return field;
        }
        throw Moved($"{type.Name}.{name} is missing");
    }

    private static FieldInfo Field(Type type, string name) => type.GetField(name, Instance) ?? throw Moved($"{type.Name}.{name} is missing");

    private static NotSupportedException Moved(string what) =>
        new($"This ML.NET build keeps its internals differently than Microsoft.ML 6.0, whose tree ensembles, progress and cancellation Cascade reads ({what}); use Microsoft.ML 6.0.");
}
