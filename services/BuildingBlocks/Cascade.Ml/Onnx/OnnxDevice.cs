namespace Cascade.Ml.Onnx;

/// <summary>Where ONNX Runtime runs a graph: its CPU provider (the default), or its CUDA provider on one GPU.</summary>
public readonly record struct OnnxDevice
{
    private OnnxDevice(bool isCuda, int deviceId) => (IsCuda, DeviceId) = (isCuda, deviceId);

    /// <summary>ONNX Runtime's CPU provider.</summary>
    public static OnnxDevice Cpu => default;

    /// <summary>ONNX Runtime's CUDA provider on GPU <paramref name="deviceId"/> (as CUDA numbers the devices this process sees).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative device id.</exception>
    public static OnnxDevice Cuda(int deviceId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(deviceId);
        return new OnnxDevice(isCuda: true, deviceId);
    }

    public bool IsCuda { get; }

    /// <summary>The GPU's ordinal; 0 for the CPU.</summary>
    public int DeviceId { get; }

    /// <summary>The name ONNX Runtime gives the provider, as its profiles and <see cref="OnnxProviders.Available"/> spell it.</summary>
    public string ProviderName => IsCuda ? OnnxProviders.Cuda : OnnxProviders.Cpu;

    /// <summary><c>cpu</c> or <c>cuda:N</c>.</summary>
    public override string ToString() => IsCuda ? $"cuda:{DeviceId}" : "cpu";
}
