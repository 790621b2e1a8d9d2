using System.Buffers;
using System.Globalization;
using Cascade.Ml.Evaluation;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Cascade.Ml.Onnx;

/// <summary>
/// An ONNX graph run by ONNX Runtime, on its CPU provider (imported models, exports checked) or on a GPU through its
/// CUDA provider (<see cref="Open"/>, batch scoring on gpu workers): one float tensor input of shape [N, features] and one
/// float tensor output of shape [N] or [N, k]. A classifier graph's label output (an integer or string tensor beside
/// the probabilities) is ignored: the probabilities are the outputs. Anything else is refused at load with what is
/// unsupported. <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string})"/>
/// is thread-safe, so one scorer serves every request of its version.
/// </summary>
/// <remarks>
/// Unlike the compiled XGBoost evaluator, a prediction allocates (ONNX Runtime's tensors and the call itself); the
/// session is created with one intra-op thread, as XGBoost predicts with one, because more threads on shared 2-core
/// machines explode tail latency. The native session is released by its finalizer once no served version refers to
/// it: a swap must not free it under requests still in flight. Short-lived users (an import) dispose it.
/// </remarks>
public sealed class OnnxScorer : IModelScorer, IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

    private OnnxScorer(InferenceSession session, string inputName, string outputName, int featureCount, bool hasLabelOutput)
    {
        _session = session;
        InputName = inputName;
        OutputName = outputName;
        FeatureCount = featureCount;
        HasLabelOutput = hasLabelOutput;
        _inputNames = [inputName];
        _outputNames = [outputName];
        OutputCount = ProbeOutputCount();
    }

    /// <summary>The graph's input, as its metadata names it.</summary>
    public string InputName { get; }

    /// <summary>The graph output served: the one float tensor output (a classifier's probabilities).</summary>
    public string OutputName { get; }

    /// <summary>Whether the graph also outputs labels beside <see cref="OutputName"/> (a classifier's label + probabilities pair).</summary>
    public bool HasLabelOutput { get; }

    public int FeatureCount { get; }

    public int OutputCount { get; }

    /// <summary>The version of the ONNX Runtime library that runs the graph.</summary>
    public static string RuntimeVersion => OrtEnv.Instance().GetVersionString();

    /// <summary>
    /// Where each node ran in the first run (the check made at load), when the scorer was opened with
    /// <see cref="Open"/>; empty after <see cref="Load"/>.
    /// </summary>
    public IReadOnlyList<NodePlacement> Placement { get; private set; } = [];

    /// <summary>The device the session was created for.</summary>
    public OnnxDevice Device { get; private init; }

    /// <summary>Loads a serialized ONNX model on the CPU provider and checks that Cascade can serve it.</summary>
    /// <param name="model">The <c>.onnx</c> file's bytes.</param>
    /// <param name="featureCount">Features per row when the graph leaves its feature dimension symbolic; null to take it from the graph.</param>
    /// <exception cref="UnsupportedModelException">Not an ONNX model ONNX Runtime can load, or not one float input [N, features] and one float output [N] or [N, k].</exception>
    public static OnnxScorer Load(byte[] model, int? featureCount = null) => Create(model, featureCount, OnnxDevice.Cpu, recordPlacement: false);

    /// <summary>
    /// Loads a serialized ONNX model on <paramref name="device"/> and records which provider ran each node of the check
    /// made at load (<see cref="Placement"/>): ONNX Runtime leaves a node whose operator the provider has no kernel for
    /// to the CPU provider without a word, so only the profile tells where the graph really runs.
    /// </summary>
    /// <exception cref="OnnxDeviceException">The provider cannot be added or no session can be created on the device (the provider is not in this build, CUDA's libraries or the GPU are missing); ONNX Runtime's message says which.</exception>
    /// <exception cref="UnsupportedModelException">As <see cref="Load"/>.</exception>
    public static OnnxScorer Open(byte[] model, OnnxDevice device, int? featureCount = null) => Create(model, featureCount, device, recordPlacement: true);

    private static OnnxScorer Create(byte[] model, int? featureCount, OnnxDevice device, bool recordPlacement)
    {
        InferenceSession session;
        var profile = recordPlacement ? Path.Combine(Path.GetTempPath(), $"cascade-onnx-{Guid.NewGuid():N}") : null;
        using (var options = SessionOptionsFor(device, profile))
        {
            try
            {
                session = new InferenceSession(model, options);
            }
            catch (OnnxRuntimeException ex) when (device.IsCuda)
            {
                // The same bytes load on the CPU provider (checked where the model was built): on a device, a failure is the device's.
                throw new OnnxDeviceException($"ONNX Runtime cannot create a session on {device}: {ex.Message}", ex);
            }
            catch (OnnxRuntimeException ex)
            {
                throw new UnsupportedModelException($"ONNX Runtime cannot load the model: {ex.Message}");
            }
        }
        try
        {
            var (input, features) = Input(session, featureCount);
            var (output, hasLabel) = Output(session);
            var scorer = new OnnxScorer(session, input, output, features, hasLabel) { Device = device };
            if (profile is not null) scorer.Placement = ReadPlacement(session);
            return scorer;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>One intra-op thread (see remarks); on a GPU, the CUDA provider first, the CPU provider behind it for any node it has no kernel for.</summary>
    private static SessionOptions SessionOptionsFor(OnnxDevice device, string? profilePrefix)
    {
        var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        try
        {
            if (profilePrefix is not null)
            {
                options.EnableProfiling = true;
                options.ProfileOutputPathPrefix = profilePrefix;
            }
            if (device.IsCuda)
            {
                using var cuda = new OrtCUDAProviderOptions();
                cuda.UpdateOptions(new Dictionary<string, string>
                {
                    ["device_id"] = device.DeviceId.ToString(CultureInfo.InvariantCulture),
                    // TF32 matrix products keep 10 bits of mantissa: sums of leaves would drift ~1e-3 from the evaluator.
                    ["use_tf32"] = "0",
                });
                options.AppendExecutionProvider_CUDA(cuda);
            }
            return options;
        }
        catch (OnnxRuntimeException ex)
        {
            options.Dispose();
            throw new OnnxDeviceException($"ONNX Runtime cannot add the {device.ProviderName} for {device} (providers in this build: {string.Join(", ", OnnxProviders.Available)}): {ex.Message}", ex);
        }
    }

    /// <summary>Ends the session's profiling (so later runs are not profiled) and reads where the nodes of the load's check ran.</summary>
    private static IReadOnlyList<NodePlacement> ReadPlacement(InferenceSession session)
    {
        var file = session.EndProfiling();
        try
        {
            return NodePlacement.FromProfile(File.ReadAllText(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static (string Name, int Features) Input(InferenceSession session, int? featureCount)
    {
        if (session.InputMetadata.Count != 1)
        {
            throw new UnsupportedModelException($"The ONNX graph has {session.InputMetadata.Count} inputs ({string.Join(", ", session.InputMetadata.Keys)}); Cascade serves graphs with exactly one float tensor input of shape [N, features].");
        }
        var (name, metadata) = session.InputMetadata.Single();
        if (!metadata.IsTensor || metadata.ElementDataType != TensorElementType.Float)
        {
            throw new UnsupportedModelException($"The ONNX input '{name}' is {Describe(metadata)}; Cascade serves graphs whose one input is a float tensor of shape [N, features].");
        }
        var dimensions = metadata.Dimensions;
        if (dimensions.Length != 2)
        {
            throw new UnsupportedModelException($"The ONNX input '{name}' has shape [{Shape(metadata)}]; Cascade serves inputs of shape [N, features].");
        }
        if (dimensions[0] > 0)
        {
            throw new UnsupportedModelException($"The ONNX input '{name}' has a fixed row count ({dimensions[0]}); Cascade needs the first dimension symbolic ([N, features]) to score batches.");
        }
        if (dimensions[1] > 0)
        {
            if (featureCount is { } expected && expected != dimensions[1])
            {
                throw new UnsupportedModelException($"The ONNX input '{name}' takes {dimensions[1]} features per row; {expected} feature names were given.");
            }
            return (name, dimensions[1]);
        }
        return featureCount is > 0
            ? (name, featureCount.Value)
            : throw new UnsupportedModelException($"The ONNX input '{name}' leaves its feature dimension symbolic ([{Shape(metadata)}]); name the features (--features a,b,c) so their count is known.");
    }

    private static (string Name, bool HasLabel) Output(InferenceSession session)
    {
        var floats = session.OutputMetadata.Where(o => o.Value.IsTensor && o.Value.ElementDataType == TensorElementType.Float).ToArray();
        var others = session.OutputMetadata.Except(floats).ToArray();
        if (floats.Length == 0)
        {
            var maps = others.FirstOrDefault(o => !o.Value.IsTensor);
            var hint = maps.Key is null ? string.Empty : $" Output '{maps.Key}' is {Describe(maps.Value)}: export classifiers without ZipMap (skl2onnx: options={{'zipmap': False}}) so the probabilities are a float tensor.";
            throw new UnsupportedModelException($"The ONNX graph has no float tensor output (outputs: {string.Join(", ", session.OutputMetadata.Select(o => $"{o.Key}: {Describe(o.Value)}"))}).{hint}");
        }
        if (floats.Length > 1)
        {
            throw new UnsupportedModelException($"The ONNX graph has {floats.Length} float outputs ({string.Join(", ", floats.Select(o => o.Key))}); Cascade serves one float output of shape [N] or [N, k].");
        }
        // A classifier's label beside its probabilities (an integer or string tensor) is ignored; anything else is not served.
        var unsupported = others.FirstOrDefault(o => !o.Value.IsTensor || o.Value.Dimensions.Length > 2);
        if (unsupported.Key is not null)
        {
            throw new UnsupportedModelException($"The ONNX output '{unsupported.Key}' is {Describe(unsupported.Value)}; besides the float output, Cascade accepts only a classifier's label tensor.");
        }
        var (name, metadata) = floats[0];
        if (metadata.Dimensions.Length is not (1 or 2))
        {
            throw new UnsupportedModelException($"The ONNX output '{name}' has shape [{Shape(metadata)}]; Cascade serves outputs of shape [N] or [N, k].");
        }
        return (name, others.Length > 0);
    }

    /// <summary>Runs a row of zeros once: the output's width when the graph leaves it symbolic, and proof that the graph runs.</summary>
    private int ProbeOutputCount()
    {
        var zeros = new float[FeatureCount];
        using var input = OrtValue.CreateTensorValueFromMemory(zeros, [1, FeatureCount]);
        using var runOptions = new RunOptions();
        try
        {
            using var results = _session.Run(runOptions, _inputNames, [input], _outputNames);
            var shape = results.First().GetTensorTypeAndShape().Shape;
            var count = shape.Length switch
            {
                1 when shape[0] == 1 => 1,
                2 when shape[0] == 1 && shape[1] > 0 => (int)shape[1],
                _ => throw new UnsupportedModelException($"For one row the ONNX output '{OutputName}' has shape [{string.Join(", ", shape)}]; Cascade serves [N] or [N, k]."),
            };
            return count;
        }
        catch (OnnxRuntimeException ex)
        {
            throw new UnsupportedModelException($"The ONNX graph fails on a row of {FeatureCount} features: {ex.Message}");
        }
    }

    public void Predict(ReadOnlySpan<float> row, Span<float> output)
    {
        if (row.Length != FeatureCount)
        {
            throw new ArgumentException($"The model expects {FeatureCount} features per row, got {row.Length}.", nameof(row));
        }
        PredictBatch(row, 1, output);
    }

    public void PredictBatch(ReadOnlySpan<float> rows, int rowCount, Span<float> outputs)
    {
        if (rowCount < 0 || rows.Length != rowCount * FeatureCount)
        {
            throw new ArgumentException($"{rows.Length} values do not make {rowCount} rows of {FeatureCount} features.", nameof(rows));
        }
        if (outputs.Length != rowCount * OutputCount)
        {
            throw new ArgumentException($"The outputs span must hold {rowCount * OutputCount} values, it holds {outputs.Length}.", nameof(outputs));
        }
        if (rowCount == 0)
        {
            return;
        }
        // ONNX Runtime reads the input from managed memory it pins: rent it rather than allocate per request.
        var buffer = ArrayPool<float>.Shared.Rent(rows.Length);
        try
        {
            rows.CopyTo(buffer);
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, rows.Length), [rowCount, FeatureCount]);
            using var runOptions = new RunOptions();
            using var results = _session.Run(runOptions, _inputNames, [input], _outputNames);
            var values = results.First().GetTensorDataAsSpan<float>();
            if (values.Length != outputs.Length)
            {
                throw new InvalidOperationException($"The ONNX output '{OutputName}' holds {values.Length} values for {rowCount} rows; {outputs.Length} were expected.");
            }
            values.CopyTo(outputs);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    private static string Describe(NodeMetadata metadata) =>
        metadata.IsTensor ? $"a {metadata.ElementDataType} tensor of shape [{Shape(metadata)}]" : $"a {metadata.OnnxValueType} value";

    private static string Shape(NodeMetadata metadata) =>
        string.Join(", ", metadata.Dimensions.Select((d, i) => d > 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : metadata.SymbolicDimensions is { } s && i < s.Length && s[i].Length > 0 ? s[i] : "?"));

    /// <summary>Releases the native session now; only for a scorer no request can still be using.</summary>
    public void Dispose() => _session.Dispose();
}
