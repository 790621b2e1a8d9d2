namespace Cascade.Ml.Onnx;

/// <summary>
/// ONNX Runtime could not put a session on the device asked for: the provider is not in this build, or CUDA's
/// libraries or the GPU are missing. The message is ONNX Runtime's own, which names the library or error.
/// </summary>
public sealed class OnnxDeviceException(string message, Exception? inner = null) : Exception(message, inner);
