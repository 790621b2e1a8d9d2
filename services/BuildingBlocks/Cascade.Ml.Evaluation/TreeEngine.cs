namespace Cascade.Ml.Evaluation;

/// <summary>Which of the bit-identical evaluators scores an XGBoost tree ensemble.</summary>
public enum TreeEngine
{
    /// <summary>
    /// The default: trees compiled at load into the fastest form the processor runs. Complete trees walked eight at a
    /// time with AVX2 gathers (<see cref="Vectorised.VectorisedModel"/>) where the processor has AVX2 and no tree is
    /// deeper than 10 levels; else machine code through IL (<see cref="Jit.JitCompiledModel"/>); the node table past
    /// the IL's node budget.
    /// </summary>
    Jit,

    /// <summary>The node-table walker (<see cref="CompiledModel"/>): no code generation, the least memory at load.</summary>
    NodeTable,

    /// <summary>Integer splits on bins of the model's thresholds, 8-byte nodes (<see cref="Quantised.QuantisedModel"/>).</summary>
    Quantised,
}
