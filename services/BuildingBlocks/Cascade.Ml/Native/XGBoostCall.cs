using System.Runtime.InteropServices;

namespace Cascade.Ml.Native;

/// <summary>Checks C API return codes and reads XGBoost's per-thread buffers.</summary>
internal static class XGBoostCall
{
    /// <summary>Throws <see cref="XGBoostException"/> with XGBoost's message when <paramref name="result"/> is not 0.</summary>
    public static void Check(int result, string operation)
    {
        if (result != 0)
        {
            // The last error lives in a thread-local buffer: read it now, on this thread.
            var message = Marshal.PtrToStringUTF8(XGBoostNative.XGBGetLastError()) ?? "(no message)";
            throw new XGBoostException(operation, message.Trim());
        }
    }

    /// <summary>Copies a UTF-8 string owned by XGBoost.</summary>
    public static string ReadString(IntPtr pointer) => Marshal.PtrToStringUTF8(pointer) ?? string.Empty;
}
