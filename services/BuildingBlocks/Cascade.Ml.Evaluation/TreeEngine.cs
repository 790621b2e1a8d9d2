namespace Cascade.Ml.Evaluation;

/// <summary>Which of the bit-identical evaluators scores an XGBoost tree ensemble.</summary>
public enum TreeEngine
{
    /// <summary>Trees compiled to machine code through IL (<see cref="Jit.JitCompiledModel"/>); the node table past the node budget.</summary>
    Jit,

    /// <summary>The node-table walker (<see cref="CompiledModel"/>): no code generation, the least memory at load.</summary>
    NodeTable,

    /// <summary>Integer splits on bins of the model's thresholds, 8-byte nodes (<see cref="Quantised.QuantisedModel"/>).</summary>
    Quantised,
}
