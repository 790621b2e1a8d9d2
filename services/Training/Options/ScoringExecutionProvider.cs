namespace Cascade.Training.Options;

/// <summary>What runs a batch-scoring job sent to the gpu pool (<see cref="BatchScoringOptions.ExecutionProvider"/>).</summary>
public enum ScoringExecutionProvider
{
    /// <summary>ONNX Runtime's CUDA provider where this build has it and a GPU answers; otherwise the CPU evaluator, with the reason in the job's lineage.</summary>
    Auto,

    /// <summary>ONNX Runtime's CUDA provider or nothing: a job that cannot run on CUDA fails, saying why, rather than run on the CPU.</summary>
    Cuda,

    /// <summary>The CPU evaluator, bit-identical to serving, even for jobs sent to the gpu pool.</summary>
    Cpu,
}
