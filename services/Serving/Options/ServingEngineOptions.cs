using Cascade.Ml.Evaluation;

namespace Cascade.Serving.Options;

/// <summary>Which evaluator answers predictions of tree models (section <c>Cascade:Serving</c>).</summary>
public sealed class ServingEngineOptions
{
    /// <summary>Configuration section name: <c>Cascade__Serving__Engine</c>.</summary>
    public const string SectionName = "Cascade:Serving";

    /// <summary>
    /// <c>Jit</c> (the fastest compiled form: complete trees walked eight at a time with AVX2 gathers where the processor
    /// has AVX2 and no tree is deeper than 10 levels, else trees compiled to machine code, else the node table past its
    /// node budget), <c>NodeTable</c> (no code generation, least memory at load) or <c>Quantised</c> (integer splits on
    /// 8-byte nodes). All three are bit-identical to XGBoost, and each is checked against the artifact's golden
    /// samples before it serves; <c>docs/performance.md</c> measures them.
    /// </summary>
    /// <value>The default value is <c>Jit</c>.</value>
    public TreeEngine Engine { get; set; } = TreeEngine.Jit;
}
