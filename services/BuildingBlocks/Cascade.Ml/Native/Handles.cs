using System.Runtime.InteropServices;

namespace Cascade.Ml.Native;

/// <summary>Owns an XGBoost DMatrix; freed exactly once, even if the caller forgets to dispose.</summary>
internal sealed class DMatrixHandle() : SafeHandle(IntPtr.Zero, ownsHandle: true)
{
    public override bool IsInvalid => handle == IntPtr.Zero;

    internal static DMatrixHandle Wrap(IntPtr raw)
    {
        var wrapped = new DMatrixHandle();
        wrapped.SetHandle(raw);
        return wrapped;
    }

    protected override bool ReleaseHandle() => XGBoostNative.XGDMatrixFree(handle) == 0;
}

/// <summary>Owns an XGBoost Booster.</summary>
internal sealed class BoosterHandle() : SafeHandle(IntPtr.Zero, ownsHandle: true)
{
    public override bool IsInvalid => handle == IntPtr.Zero;

    internal static BoosterHandle Wrap(IntPtr raw)
    {
        var wrapped = new BoosterHandle();
        wrapped.SetHandle(raw);
        return wrapped;
    }

    protected override bool ReleaseHandle() => XGBoostNative.XGBoosterFree(handle) == 0;
}
