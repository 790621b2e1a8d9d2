using System.Globalization;
using System.Runtime.InteropServices;

namespace Cascade.Ml.Native;

/// <summary>A thin, safe wrapper over an XGBoost booster handle.</summary>
/// <remarks>
/// Not thread-safe while training or changing parameters. Prediction is safe from several threads once
/// a first prediction has configured the booster (ENVIRONMENT.md); <see cref="XGBoostPredictor"/> relies on that.
/// </remarks>
internal sealed class Booster : IDisposable
{
    private Booster(BoosterHandle handle) => Handle = handle;

    public BoosterHandle Handle { get; }

    public static unsafe Booster Create(params DMatrixHandle[] cache)
    {
        var raw = stackalloc IntPtr[Math.Max(cache.Length, 1)];
        var added = new bool[cache.Length];
        try
        {
            for (var i = 0; i < cache.Length; i++)
            {
                cache[i].DangerousAddRef(ref added[i]);
                raw[i] = cache[i].DangerousGetHandle();
            }
            XGBoostCall.Check(XGBoostNative.XGBoosterCreate(raw, (ulong)cache.Length, out var handle), nameof(XGBoostNative.XGBoosterCreate));
            return new Booster(BoosterHandle.Wrap(handle));
        }
        finally
        {
            for (var i = 0; i < cache.Length; i++)
            {
                if (added[i]) cache[i].DangerousRelease();
            }
        }
    }

    public static unsafe Booster Load(ReadOnlySpan<byte> model)
    {
        var booster = Create();
        fixed (byte* data = model)
        {
            XGBoostCall.Check(XGBoostNative.XGBoosterLoadModelFromBuffer(booster.Handle, data, (ulong)model.Length), nameof(XGBoostNative.XGBoosterLoadModelFromBuffer));
        }
        return booster;
    }

    public void SetParam(string name, string value) =>
        XGBoostCall.Check(XGBoostNative.XGBoosterSetParam(Handle, name, value), $"{nameof(XGBoostNative.XGBoosterSetParam)}({name}={value})");

    public void UpdateOneIteration(int iteration, DMatrixHandle train) =>
        XGBoostCall.Check(XGBoostNative.XGBoosterUpdateOneIter(Handle, iteration, train), nameof(XGBoostNative.XGBoosterUpdateOneIter));

    /// <summary>XGBoost's own evaluation line, e.g. <c>[3]\tvalid-logloss:0.41</c>.</summary>
    public unsafe string EvaluateOneIteration(int iteration, DMatrixHandle matrix, string name)
    {
        var added = false;
        var namePointer = Marshal.StringToCoTaskMemUTF8(name);
        try
        {
            matrix.DangerousAddRef(ref added);
            var matrixPointer = matrix.DangerousGetHandle();
            XGBoostCall.Check(XGBoostNative.XGBoosterEvalOneIter(Handle, iteration, &matrixPointer, &namePointer, 1, out var result), nameof(XGBoostNative.XGBoosterEvalOneIter));
            return XGBoostCall.ReadString(result);
        }
        finally
        {
            Marshal.FreeCoTaskMem(namePointer);
            if (added) matrix.DangerousRelease();
        }
    }

    public int BoostedRounds()
    {
        XGBoostCall.Check(XGBoostNative.XGBoosterBoostedRounds(Handle, out var rounds), nameof(XGBoostNative.XGBoosterBoostedRounds));
        return rounds;
    }

    public int FeatureCount()
    {
        XGBoostCall.Check(XGBoostNative.XGBoosterGetNumFeature(Handle, out var features), nameof(XGBoostNative.XGBoosterGetNumFeature));
        return (int)features;
    }

    /// <summary>A new booster holding rounds [0, rounds).</summary>
    public Booster Slice(int rounds)
    {
        XGBoostCall.Check(XGBoostNative.XGBoosterSlice(Handle, 0, rounds, 1, out var sliced), nameof(XGBoostNative.XGBoosterSlice));
        return new Booster(BoosterHandle.Wrap(sliced));
    }

    /// <summary>Serializes the model: <c>ubj</c> or <c>json</c>.</summary>
    public unsafe byte[] Save(string format)
    {
        XGBoostCall.Check(XGBoostNative.XGBoosterSaveModelToBuffer(Handle, $"{{\"format\":\"{format}\"}}", out var length, out var data), nameof(XGBoostNative.XGBoosterSaveModelToBuffer));
        // The buffer belongs to XGBoost and is reused by the next call on this thread: copy now.
        return new ReadOnlySpan<byte>(data, checked((int)length)).ToArray();
    }

    /// <summary>Predicts a dense row-major block through inplace prediction; returns a copy of the outputs.</summary>
    public unsafe float[] PredictDense(ReadOnlySpan<float> rows, int rowCount, int columns, bool outputMargin = false)
    {
        fixed (float* data = rows)
        {
            var arrayInterface = string.Create(CultureInfo.InvariantCulture,
                $"{{\"data\":[{(ulong)data},true],\"shape\":[{rowCount},{columns}],\"typestr\":\"<f4\",\"version\":3}}");
            var config = $"{{\"type\":{(outputMargin ? 1 : 0)},\"training\":false,\"iteration_begin\":0,\"iteration_end\":0,\"strict_shape\":false,\"cache_id\":0,\"missing\":NaN}}";
            XGBoostCall.Check(XGBoostNative.XGBoosterPredictFromDense(Handle, arrayInterface, config, IntPtr.Zero, out var shape, out var dimensions, out var result), nameof(XGBoostNative.XGBoosterPredictFromDense));
            return Copy(shape, dimensions, result);
        }
    }

    /// <summary>Per-feature contributions (TreeSHAP) and the bias, XGBoost's <c>pred_contribs</c>.</summary>
    public unsafe float[] PredictContributions(DMatrixHandle matrix)
    {
        const string Config = "{\"type\":2,\"training\":false,\"iteration_begin\":0,\"iteration_end\":0,\"strict_shape\":false}";
        XGBoostCall.Check(XGBoostNative.XGBoosterPredictFromDMatrix(Handle, matrix, Config, out var shape, out var dimensions, out var result), nameof(XGBoostNative.XGBoosterPredictFromDMatrix));
        return Copy(shape, dimensions, result);
    }

    private static unsafe float[] Copy(ulong* shape, ulong dimensions, float* result)
    {
        ulong count = 1;
        for (ulong i = 0; i < dimensions; i++)
        {
            count *= shape[i];
        }
        return new ReadOnlySpan<float>(result, checked((int)count)).ToArray();
    }

    public void Dispose() => Handle.Dispose();
}
