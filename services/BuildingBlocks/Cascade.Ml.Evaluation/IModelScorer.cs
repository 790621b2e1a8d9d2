namespace Cascade.Ml.Evaluation;

/// <summary>
/// What serving, holdout scoring and golden checks need of a model, whatever made it: the compiled XGBoost evaluator
/// (<see cref="CompiledModel"/>) or an imported ONNX graph run by ONNX Runtime. Implementations are immutable after
/// load and safe to call from any number of threads.
/// </summary>
/// <remarks>
/// One interface call per row or per batch: the compiled evaluator's per-tree loop stays behind it, free of virtual
/// calls and allocations.
/// </remarks>
public interface IModelScorer
{
    /// <summary>Features per row.</summary>
    int FeatureCount { get; }

    /// <summary>Outputs per row (1, or one per class).</summary>
    int OutputCount { get; }

    /// <summary>Scores one row into <paramref name="output"/> (<see cref="OutputCount"/> values).</summary>
    /// <exception cref="ArgumentException">The row or the output span has the wrong length.</exception>
    void Predict(ReadOnlySpan<float> row, Span<float> output);

    /// <summary>Scores <paramref name="rowCount"/> row-major rows; <paramref name="outputs"/> holds rowCount × <see cref="OutputCount"/> values.</summary>
    /// <exception cref="ArgumentException">The spans do not hold that many rows or outputs.</exception>
    void PredictBatch(ReadOnlySpan<float> rows, int rowCount, Span<float> outputs);
}
