using System.Runtime.InteropServices;

namespace Cascade.Ml.Onnx;

/// <summary>
/// Asks the NVIDIA driver (libcuda.so.1, CUDA's driver API) whether a GPU is there and what it is called, before ONNX
/// Runtime is asked to put a session on it: a machine without a driver or without that device gets a reason saying
/// so, rather than an error from deep inside provider creation, and lineage gets the device's name
/// (ONNX Runtime's API has no call that names a CUDA device).
/// </summary>
/// <remarks>
/// The driver numbers devices as CUDA does for this process (after <c>CUDA_VISIBLE_DEVICES</c>), the numbering the
/// CUDA provider's <c>device_id</c> uses. libcuda.so.1 comes with the driver, not with CUDA's toolkit, so it is on
/// every GPU node (the NVIDIA container runtime mounts it) and missing everywhere else.
/// </remarks>
public static partial class CudaDriver
{
    private const string Library = "libcuda.so.1";
    private const int NameLength = 256;

    /// <summary>Whether CUDA device <paramref name="ordinal"/> is present, with its name, or why not.</summary>
    public static CudaDeviceProbe Probe(int ordinal)
    {
        try
        {
            var status = cuInit(0);
            if (status != 0) return CudaDeviceProbe.Absent($"the NVIDIA driver reports no usable GPU (cuInit: {ErrorName(status)})");
            status = cuDeviceGetCount(out var count);
            if (status != 0) return CudaDeviceProbe.Absent($"the NVIDIA driver cannot count GPUs (cuDeviceGetCount: {ErrorName(status)})");
            if (ordinal >= count)
            {
                var visible = Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES");
                return CudaDeviceProbe.Absent($"CUDA device {ordinal} was asked for and this process sees {count} (CUDA_VISIBLE_DEVICES {(visible is null ? "unset" : $"'{visible}'")})");
            }
            status = cuDeviceGet(out var device, ordinal);
            if (status != 0) return CudaDeviceProbe.Absent($"the NVIDIA driver cannot open CUDA device {ordinal} (cuDeviceGet: {ErrorName(status)})");
            Span<byte> name = stackalloc byte[NameLength];
            status = cuDeviceGetName(ref MemoryMarshal.GetReference(name), NameLength, device);
            var text = status == 0 ? System.Text.Encoding.UTF8.GetString(name[..Math.Max(0, name.IndexOf((byte)0))]) : "unnamed GPU";
            return CudaDeviceProbe.Found(text);
        }
        catch (DllNotFoundException)
        {
            return CudaDeviceProbe.Absent($"no NVIDIA driver on this machine ({Library} cannot be loaded)");
        }
        catch (EntryPointNotFoundException ex)
        {
            return CudaDeviceProbe.Absent($"the NVIDIA driver's {Library} is too old: {ex.Message}");
        }
    }

    private static string ErrorName(int status) =>
        cuGetErrorName(status, out var name) == 0 && name != 0 ? $"{Marshal.PtrToStringUTF8(name)} ({status})" : $"error {status}";

    [LibraryImport(Library)]
    private static partial int cuInit(uint flags);

    [LibraryImport(Library)]
    private static partial int cuDeviceGetCount(out int count);

    [LibraryImport(Library)]
    private static partial int cuDeviceGet(out int device, int ordinal);

    [LibraryImport(Library)]
    private static partial int cuDeviceGetName(ref byte name, int length, int device);

    [LibraryImport(Library)]
    private static partial int cuGetErrorName(int error, out nint name);
}
