using System.Runtime.InteropServices;

namespace Cascade.Ml.Evaluation.Jit;

/// <summary>
/// An XGBoost ensemble compiled to machine code: each block of trees is one generated method of nested float compares
/// and jumps (<see cref="TreeBlockCompiler"/>), which the JIT turns into native code once at load. Bit-identical to
/// <see cref="CompiledModel"/> (the same float32 compares, the same float32 sums in tree order, the same sigmoid and
/// softmax). Immutable after load and safe on any number of threads; a prediction allocates nothing.
/// </summary>
public sealed class JitCompiledModel : IModelScorer
{
    /// <summary>Rows a block of trees is run over before the next block: 64 rows of a wide model still fit in L1 with the block's code.</summary>
    private const int BlockRows = 64;

    private readonly CompiledModel _model;
    private readonly TreeBlock[] _blocks;

    private JitCompiledModel(CompiledModel model, TreeBlock[] blocks)
    {
        _model = model;
        _blocks = blocks;
    }

    /// <summary>Compiles <paramref name="model"/>'s trees into <see cref="MethodCount"/> methods.</summary>
    public static JitCompiledModel Compile(CompiledModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var blocks = TreeBlockCompiler.Partition(model).Select(b => TreeBlockCompiler.Compile(model, b.First, b.Count)).ToArray();
        return new JitCompiledModel(model, blocks);
    }

    /// <summary>The node-table model this was compiled from.</summary>
    public CompiledModel Source => _model;

    public int FeatureCount => _model.FeatureCount;

    public int OutputCount => _model.OutputCount;

    /// <summary>Generated methods (each a run of consecutive trees).</summary>
    public int MethodCount => _blocks.Length;

    public void Predict(ReadOnlySpan<float> row, Span<float> output)
    {
        if (row.Length != FeatureCount)
        {
            throw new ArgumentException($"The model expects {FeatureCount} features per row, got {row.Length}.", nameof(row));
        }
        if (output.Length != OutputCount)
        {
            throw new ArgumentException($"The model produces {OutputCount} outputs per row, the output span holds {output.Length}.", nameof(output));
        }
        output.Fill(_model.BaseMargin);
        ref var features = ref MemoryMarshal.GetReference(row);
        ref var margins = ref MemoryMarshal.GetReference(output);
        foreach (var block in _blocks)
        {
            block(ref features, 1, ref margins);
        }
        Objective.Transform(_model.Objective, output);
    }

    public void PredictBatch(ReadOnlySpan<float> rows, int rowCount, Span<float> outputs)
    {
        if (rowCount < 0 || rows.Length != rowCount * FeatureCount)
        {
            throw new ArgumentException($"{rows.Length} values do not make {rowCount} rows of {FeatureCount} features.", nameof(rows));
        }
        if (outputs.Length != rowCount * OutputCount)
        {
            throw new ArgumentException($"The outputs span must hold {rowCount * OutputCount} values, it holds {outputs.Length}.", nameof(outputs));
        }
        outputs.Fill(_model.BaseMargin);
        // Tree-block-major over blocks of rows: a block's machine code and the rows stay in cache together. Every row
        // still meets the trees in order, so each margin is the same float32 sum as one row at a time.
        for (var start = 0; start < rowCount; start += BlockRows)
        {
            var count = Math.Min(BlockRows, rowCount - start);
            ref var features = ref MemoryMarshal.GetReference(rows.Slice(start * FeatureCount));
            ref var margins = ref MemoryMarshal.GetReference(outputs.Slice(start * OutputCount));
            foreach (var block in _blocks)
            {
                block(ref features, count, ref margins);
            }
        }
        for (var r = 0; r < rowCount; r++)
        {
            Objective.Transform(_model.Objective, outputs.Slice(r * OutputCount, OutputCount));
        }
    }
}
