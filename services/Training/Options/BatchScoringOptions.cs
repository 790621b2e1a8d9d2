using System.ComponentModel.DataAnnotations;

namespace Cascade.Training.Options;

/// <summary>
/// How this worker scores batch-scoring jobs sent to the gpu pool (section <c>Cascade:Training:Scoring</c>, e.g.
/// <c>Cascade__Training__Scoring__ExecutionProvider=cuda</c>). Jobs sent to the cpu pool always run on the CPU
/// evaluator, whose scores are bit-identical to Serving's. docs/operations.md, "Batch scoring on GPU".
/// </summary>
public sealed class BatchScoringOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = TrainingServiceOptions.SectionName + ":Scoring";

    /// <summary><c>auto</c>, <c>cuda</c> or <c>cpu</c>: see <see cref="ScoringExecutionProvider"/>.</summary>
    /// <value>The default value is <see cref="ScoringExecutionProvider.Auto"/>.</value>
    public ScoringExecutionProvider ExecutionProvider { get; set; } = ScoringExecutionProvider.Auto;

    /// <summary>The CUDA device gpu jobs score on, as CUDA numbers the devices this process sees (after <c>CUDA_VISIBLE_DEVICES</c>).</summary>
    /// <value>The default value is 0.</value>
    [Range(0, 63)]
    public int CudaDevice { get; set; }
}
