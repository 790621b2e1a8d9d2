namespace Cascade.Ml.Onnx;

/// <summary>What <see cref="CudaDriver.Probe"/> found: a device and its name, or why there is none.</summary>
/// <param name="Present">Whether the device is there.</param>
/// <param name="Description">The device's name (<c>NVIDIA H100 80GB HBM3</c>), or the reason it is not usable.</param>
public readonly record struct CudaDeviceProbe(bool Present, string Description)
{
    public static CudaDeviceProbe Found(string name) => new(true, name);

    public static CudaDeviceProbe Absent(string reason) => new(false, reason);
}
