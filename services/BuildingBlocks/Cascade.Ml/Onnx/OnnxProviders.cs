using Microsoft.ML.OnnxRuntime;

namespace Cascade.Ml.Onnx;

/// <summary>
/// The execution providers compiled into the ONNX Runtime this build carries: the CPU provider always; the CUDA
/// provider only in a build made with <c>-p:CascadeOnnxRuntime=gpu</c>, which references the CUDA build of ONNX
/// Runtime (Microsoft.ML.OnnxRuntime.Gpu.Linux) instead of the CPU one (docs/operations.md, "Batch scoring on GPU").
/// </summary>
public static class OnnxProviders
{
    public const string Cpu = "CPUExecutionProvider";
    public const string Cuda = "CUDAExecutionProvider";

    /// <summary>The providers compiled in, as ONNX Runtime names them.</summary>
    public static IReadOnlyList<string> Available => OrtEnv.Instance().GetAvailableProviders();

    /// <summary>
    /// Whether the CUDA provider is compiled in. It says nothing of a GPU, a driver or CUDA's libraries being on this
    /// machine: the provider loads those only when a session is created on a device.
    /// </summary>
    public static bool CudaInThisBuild => Available.Contains(Cuda, StringComparer.Ordinal);
}
