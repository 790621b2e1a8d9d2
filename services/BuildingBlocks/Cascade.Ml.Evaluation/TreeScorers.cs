using Cascade.Ml.Evaluation.Jit;
using Cascade.Ml.Evaluation.Quantised;
using Cascade.Ml.Evaluation.Vectorised;

namespace Cascade.Ml.Evaluation;

/// <summary>Builds the scorer an engine names for a loaded ensemble, falling back to the node table where an engine cannot take the model.</summary>
public static class TreeScorers
{
    /// <summary>
    /// The most nodes <see cref="TreeEngine.Jit"/> compiles to IL (for models it cannot vectorise): bench/MlBench
    /// measured 30 ms of code generation and JIT for 12,682 nodes (on a loaded 2-core machine), so the budget bounds a
    /// load at about half a second. Larger models are scored by the node table, which needs no code generation.
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

    /// <summary>
    /// The scorer <paramref name="engine"/> makes of <paramref name="model"/>. <see cref="TreeEngine.Jit"/>: the
    /// vectorised complete trees where the processor has AVX2 and every tree is at most 10 levels deep, else the IL
    /// machine code, else (past <paramref name="maxCompiledNodes"/>, or a tree over <see cref="MaxCompiledTreeNodes"/>)
    /// the node table itself; <see cref="TreeEngine.Quantised"/>: the node table where the model cannot be quantised.
    /// </summary>
    public static IModelScorer Create(CompiledModel model, TreeEngine engine = TreeEngine.Jit, int maxCompiledNodes = DefaultMaxCompiledNodes)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCompiledNodes);
        switch (engine)
        {
            case TreeEngine.Jit when TryVectorise(model) is { } vectorised:
                return vectorised;
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

    /// <summary>
    /// The vectorised model where it runs as vectors: on the bench model it answered single rows about 3.5× faster
    /// than the IL and batches of 1,024 about 5× (docs/performance.md). Its layout is tables, not code, so the IL's node budget does not bound it; its
    /// own bounds (depth, bytes) refuse what it cannot lay out.
    /// </summary>
    private static VectorisedModel? TryVectorise(CompiledModel model)
    {
        if (!VectorisedModel.IsHardwareAccelerated)
        {
            return null;
        }
        try
        {
            return VectorisedModel.From(model);
        }
        catch (UnsupportedModelException)
        {
            return null;
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
