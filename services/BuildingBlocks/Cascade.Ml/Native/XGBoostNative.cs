using System.Reflection;
using System.Runtime.InteropServices;

namespace Cascade.Ml.Native;

/// <summary>The parts of XGBoost's C API that Cascade uses (Debian's libxgboost0, XGBoost 1.7).</summary>
/// <remarks>Every function returns 0 on success and -1 on failure, with the message in <see cref="XGBGetLastError"/>; <see cref="XGBoostCall"/> turns that into exceptions.</remarks>
internal static partial class XGBoostNative
{
    private const string Library = "xgboost";

    static XGBoostNative()
    {
        NativeLibrary.SetDllImportResolver(typeof(XGBoostNative).Assembly, Resolve);
    }

    /// <summary>Forces the resolver to be registered before the first call (static constructors of partial P/Invoke classes run lazily).</summary>
    internal static void EnsureLoaded() => _ = XGBGetLastError();

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Library)
        {
            return IntPtr.Zero;
        }
        foreach (var candidate in new[] { "libxgboost.so.0", "libxgboost.so", "/usr/lib/x86_64-linux-gnu/libxgboost.so.0", "/usr/lib/aarch64-linux-gnu/libxgboost.so.0" })
        {
            if (NativeLibrary.TryLoad(candidate, assembly, searchPath, out var handle) || NativeLibrary.TryLoad(candidate, out handle))
            {
                return handle;
            }
        }
        throw new DllNotFoundException("libxgboost.so.0 was not found: install Debian's XGBoost with `apt-get install -y libxgboost0` (./cascade does this on first run).");
    }

    [LibraryImport(Library)]
    internal static partial IntPtr XGBGetLastError();

    [LibraryImport(Library)]
    internal static partial void XGBoostVersion(out int major, out int minor, out int patch);

    [LibraryImport(Library)]
    internal static partial int XGBuildInfo(out IntPtr output);

    [LibraryImport(Library)]
    internal static unsafe partial int XGDMatrixCreateFromMat(float* data, ulong rows, ulong columns, float missing, out IntPtr handle);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int XGDMatrixSetFloatInfo(DMatrixHandle handle, string field, float* array, ulong length);

    [LibraryImport(Library)]
    internal static partial int XGDMatrixFree(IntPtr handle);

    [LibraryImport(Library)]
    internal static unsafe partial int XGBoosterCreate(IntPtr* matrices, ulong length, out IntPtr handle);

    [LibraryImport(Library)]
    internal static partial int XGBoosterFree(IntPtr handle);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int XGBoosterSetParam(BoosterHandle handle, string name, string value);

    [LibraryImport(Library)]
    internal static partial int XGBoosterUpdateOneIter(BoosterHandle handle, int iteration, DMatrixHandle train);

    [LibraryImport(Library)]
    internal static unsafe partial int XGBoosterEvalOneIter(BoosterHandle handle, int iteration, IntPtr* matrices, IntPtr* names, ulong length, out IntPtr result);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int XGBoosterPredictFromDMatrix(BoosterHandle handle, DMatrixHandle matrix, string config, out ulong* shape, out ulong dimensions, out float* result);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int XGBoosterPredictFromDense(BoosterHandle handle, string arrayInterface, string config, IntPtr proxy, out ulong* shape, out ulong dimensions, out float* result);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int XGBoosterSaveModelToBuffer(BoosterHandle handle, string config, out ulong length, out byte* data);

    [LibraryImport(Library)]
    internal static unsafe partial int XGBoosterLoadModelFromBuffer(BoosterHandle handle, byte* buffer, ulong length);

    [LibraryImport(Library)]
    internal static partial int XGBoosterBoostedRounds(BoosterHandle handle, out int rounds);

    [LibraryImport(Library)]
    internal static partial int XGBoosterSlice(BoosterHandle handle, int beginLayer, int endLayer, int step, out IntPtr sliced);

    [LibraryImport(Library)]
    internal static partial int XGBoosterGetNumFeature(BoosterHandle handle, out ulong features);
}
