using Cascade.Ml.Evaluation.Jit;
using Cascade.Ml.Evaluation.Quantised;

namespace Cascade.Ml.Evaluation;

/// <summary>Builds the scorer an engine names for a loaded ensemble, falling back to the node table where an engine cannot take the model.</summary>
public static class TreeScorers
{
    /// <summary>
    /// The most nodes <see cref="TreeEngine.Jit"/> compiles: bench/MlBench measured 30 ms of code generation and JIT for
    /// 12,682 nodes (on a loaded 2-core machine), so the budget bounds a load at about half a second. Larger models are
    /// scored by the node table, which needs no code generation.
    /// </summary>
    public const int DefaultMaxCompiledNodes = 250_000;

    /// <summary>
    /// The largest single tree <see cref="TreeEngine.Jit"/> compiles. A tree is one generated method, and past about
    /// 2,000 nodes the JIT stops optimising it (MinOpts) while still spending time on every node: such a tree is no
    /// faster compiled, and a degenerate one of 100,000 nodes would hold the load for seconds.
    /// </summary>
    public const int MaxCompiledTreeNodes = 16_384;

    /// <summary>Engine names as commands and settings spell them.</summary>
    public static readonly IReadOnlyList<string> EngineNames = ["jit", "node-table", "quantised"];

    /// <summary>The scorer <paramref name="engine"/> makes of <paramref name="model"/>; the node table itself where the model exceeds <paramref name="maxCompiledNodes"/> or a tree <see cref="MaxCompiledTreeNodes"/> (JIT), or cannot be quantised.</summary>
    public static IModelScorer Create(CompiledModel model, TreeEngine engine = TreeEngine.Jit, int maxCompiledNodes = DefaultMaxCompiledNodes)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCompiledNodes);
        switch (engine)
        {
            case TreeEngine.Jit when model.NodeCount <= maxCompiledNodes && LargestTree(model) <= MaxCompiledTreeNodes:
                return JitCompiledModel.Compile(model);
            case TreeEngine.Quantised:
                try
                {
                    return QuantisedModel.From(model);
                }
                catch (UnsupportedModelException)
                {
                    // Too many features or thresholds for 16-bit bins: the node table computes the same predictions.
                    return model;
                }
            default:
                return model;
        }
    }

    private static int LargestTree(CompiledModel model)
    {
        var largest = 0;
        for (var t = 0; t < model.TreeCount; t++)
        {
            largest = Math.Max(largest, Jit.TreeBlockCompiler.TreeSize(model, t));
        }
        return largest;
    }

    /// <summary>Parses an engine name (<see cref="EngineNames"/>).</summary>
    /// <exception cref="ArgumentException">The name is not one of them.</exception>
    public static TreeEngine Parse(string name) => name switch
    {
        "jit" => TreeEngine.Jit,
        "node-table" => TreeEngine.NodeTable,
        "quantised" => TreeEngine.Quantised,
        _ => throw new ArgumentException($"Unknown tree engine '{name}' (expected {string.Join(", ", EngineNames)})."),
    };

    /// <summary>The name <see cref="Parse"/> reads for <paramref name="engine"/>.</summary>
    public static string NameOf(TreeEngine engine) => EngineNames[(int)engine];
}
