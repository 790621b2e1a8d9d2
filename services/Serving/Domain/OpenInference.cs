using Cascade.Ml.Onnx;

namespace Cascade.Serving.Domain;

/// <summary>
/// The Open Inference Protocol v2 over Cascade's served models, apart from its bindings (gRPC in <c>Grpc/</c>, REST in
/// <c>Rest/</c>), so both check requests and answer alike: one FP32 input of shape [n, features] (or [features]),
/// one FP32 output of shape [n] or [n, classes], named <see cref="OutputName"/> for XGBoost models and as the graph
/// names it for imported ONNX models (<see cref="OutputNameOf"/>). Every answer goes through the
/// <see cref="Predictor"/>, so it is logged like any other prediction. Errors say what to fix:
/// <see cref="KeyNotFoundException"/> (model or version not served) and <see cref="ArgumentException"/> (bad request).
/// </summary>
public sealed class OpenInference(Predictor predictor, ModelCatalog catalog)
{
    /// <summary>The input's name for XGBoost models.</summary>
    public const string InputName = "input";

    /// <summary>The output's name for XGBoost models.</summary>
    public const string OutputName = "output";

    /// <summary>The metadata's platform: trees compiled from an XGBoost model (format "&lt;project&gt;_&lt;format&gt;").</summary>
    public const string Platform = "xgboost_compiled";

    /// <summary>The metadata's platform of an imported ONNX model (the name KServe and Triton use for ONNX Runtime).</summary>
    public const string OnnxPlatform = "onnxruntime_onnx";

    /// <summary>The input's name: the ONNX graph's own for an imported ONNX model, else <see cref="InputName"/>.</summary>
    public static string InputNameOf(ServedModel served) => served.Scorer is OnnxScorer onnx ? onnx.InputName : InputName;

    /// <summary>The output's name: the ONNX graph's served output for an imported ONNX model, else <see cref="OutputName"/>.</summary>
    public static string OutputNameOf(ServedModel served) => served.Scorer is OnnxScorer onnx ? onnx.OutputName : OutputName;

    /// <summary>The platform the metadata reports.</summary>
    public static string PlatformOf(ServedModel served) => served.Scorer is OnnxScorer ? OnnxPlatform : Platform;

    /// <summary>What the server metadata says about this server.</summary>
    // No protocol extensions: the model repository extension (load/unload by API) is not implemented, so it is not advertised.
    public static readonly ServerDescription Server = new("cascade", "1", []);

    /// <summary>Ready when at least one model is served.</summary>
    public bool IsServerReady => catalog.All.Count > 0;

    /// <summary>The served version of a model, or the version asked for (empty: the champion; the challenger's number: the challenger).</summary>
    /// <exception cref="KeyNotFoundException">The model is not served, or not in that version.</exception>
    /// <exception cref="ArgumentException">The version is not a number.</exception>
    public ServedModel Resolve(string model, string version) => predictor.Resolve(model, ParseVersion(version));

    /// <summary>Whether <see cref="Resolve"/> would find the model in that version (so an inference on it can be answered).</summary>
    public bool IsModelReady(string model, string version)
    {
        try
        {
            Resolve(model, version);
            return true;
        }
        catch (Exception ex) when (ex is KeyNotFoundException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The model's inputs and outputs as the protocol's metadata describes them (-1: any number of rows).</summary>
    public static ModelDescription Describe(ServedModel served)
    {
        var outputs = served.Scorer.OutputCount;
        return new ModelDescription(served.Name, served.Version.ToString(), PlatformOf(served),
            new TensorDescription(InputNameOf(served), "FP32", [-1, served.Scorer.FeatureCount]),
            new TensorDescription(OutputNameOf(served), "FP32", outputs == 1 ? [-1] : [-1, outputs]));
    }

    /// <summary>Checks that a request has one input tensor whose shape fits the model; returns its number of rows.</summary>
    /// <exception cref="ArgumentException">Not one input, or a shape that is not [n, features] or [features].</exception>
    public static int Rows(ServedModel served, int inputCount, ReadOnlySpan<long> shape)
    {
        var features = served.Scorer.FeatureCount;
        if (inputCount != 1)
        {
            throw new ArgumentException($"Send exactly one input tensor, of shape [n, {features}] ({string.Join(", ", served.FeatureNames)}); got {inputCount}.");
        }
        var rows = shape.Length switch
        {
            2 when shape[1] == features => shape[0],
            1 when shape[0] == features => 1,
            _ => throw new ArgumentException($"Input shape [{string.Join(", ", shape.ToArray())}] does not fit the model: use [n, {features}] ({string.Join(", ", served.FeatureNames)})."),
        };
        // Rows times features must fit one array: the check keeps a huge declared shape from overflowing the count below.
        return rows is > 0 && rows <= Array.MaxLength / features
            ? (int)rows
            : throw new ArgumentException($"Input shape [{string.Join(", ", shape.ToArray())}] declares {rows} rows; send between 1 and {Array.MaxLength / features}.");
    }

    /// <summary>Checks that the outputs a request names (none: all) are ones the model produces.</summary>
    /// <exception cref="ArgumentException">An output the model does not have.</exception>
    public static void CheckRequestedOutputs(ServedModel served, IEnumerable<string> names)
    {
        var output = OutputNameOf(served);
        foreach (var name in names)
        {
            if (name != output)
            {
                throw new ArgumentException($"The model has no output '{name}': its one output is '{output}' (or name none to get all).");
            }
        }
    }

    /// <summary>The request parameter that gives the value of the model's segment column (for every row), when the model does not read it.</summary>
    public const string SegmentParameter = "segment";

    /// <summary>Predicts <paramref name="rows"/> rows of row-major FP32 values and logs each prediction.</summary>
    /// <param name="segment">The request's <see cref="SegmentParameter"/>: the segment column's value for every row; null when not given.</param>
    /// <exception cref="ArgumentException">A value count that does not match the shape, infinite values, or a segment the column cannot take.</exception>
    public InferenceResult Infer(ServedModel served, ReadOnlySpan<float> values, int rows, string requestId, string? segment = null)
    {
        var features = served.Scorer.FeatureCount;
        if (values.Length != rows * features)
        {
            throw new ArgumentException($"Input has {values.Length} values; shape [{rows}, {features}] needs {rows * features}.");
        }
        var (outputs, _) = predictor.Predict(served, values, rows, requestId, null, segments: string.IsNullOrEmpty(segment) ? null : [segment]);
        var perRow = served.Scorer.OutputCount;
        return new InferenceResult(served, outputs, perRow == 1 ? [rows] : [rows, perRow]);
    }

    private static int ParseVersion(string version) =>
        version.Length == 0 ? 0 : int.TryParse(version, out var number) ? number : throw new ArgumentException($"Model version '{version}' is not a number.");
}

/// <summary>The server's name, version and protocol extensions.</summary>
public sealed record ServerDescription(string Name, string Version, IReadOnlyList<string> Extensions);

/// <summary>A served model version's name, version, platform, input and output.</summary>
public sealed record ModelDescription(string Name, string Version, string Platform, TensorDescription Input, TensorDescription Output);

/// <summary>A tensor's name, datatype and shape (-1: a dimension of any size).</summary>
public sealed record TensorDescription(string Name, string Datatype, long[] Shape);

/// <summary>The version that answered, its outputs (row-major) and their shape.</summary>
public sealed record InferenceResult(ServedModel Served, float[] Outputs, long[] Shape);
