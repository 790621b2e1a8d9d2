using Cascade.Ml.Data;

namespace Cascade.Ml.Native;

/// <summary>Creates XGBoost DMatrix objects from dense tables.</summary>
internal static class DMatrix
{
    public static unsafe DMatrixHandle FromTable(TabularData table)
    {
        IntPtr raw;
        fixed (float* data = table.Features)
        {
            XGBoostCall.Check(XGBoostNative.XGDMatrixCreateFromMat(data, (ulong)table.Rows, (ulong)table.Columns, float.NaN, out raw), nameof(XGBoostNative.XGDMatrixCreateFromMat));
        }
        var handle = DMatrixHandle.Wrap(raw);
        if (table.Labels is { } labels)
        {
            SetInfo(handle, "label", labels);
        }
        if (table.Weights is { } weights)
        {
            SetInfo(handle, "weight", weights);
        }
        return handle;
    }

    private static unsafe void SetInfo(DMatrixHandle handle, string field, float[] values)
    {
        fixed (float* data = values)
        {
            XGBoostCall.Check(XGBoostNative.XGDMatrixSetFloatInfo(handle, field, data, (ulong)values.Length), nameof(XGBoostNative.XGDMatrixSetFloatInfo));
        }
    }
}
