using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Training.V1;
using Cascade.Ml.Artifacts;
using Cascade.Ml.Evaluation;
using Cascade.Ml.Export;
using Cascade.Ml.Onnx;
using Cascade.Training.Options;

namespace Cascade.Training.Scoring;

/// <summary>
/// What scores a batch-scoring job's rows, and the words its status and lineage record for it. A job sent to the cpu
/// pool runs on the artifact's own evaluator (bit-identical to Serving). A job sent to the gpu pool runs, unless
/// <see cref="BatchScoringOptions.ExecutionProvider"/> says <c>cpu</c>, on ONNX Runtime's CUDA provider: the version's
/// trees exported in memory as the traversal graph, opened on the device and held to the golden samples first
/// (<see cref="OnnxTreeScoring"/>). Where that cannot be (the provider not in this build, no driver or GPU, CUDA's
/// libraries missing, an imported model, a disagreement on the golden samples) <c>auto</c> scores on the evaluator
/// and says why, and <c>cuda</c> fails the job with the same reason.
/// </summary>
/// <remarks>
/// The checks run cheapest first and each names what to fix: whether the build has the provider (a managed call),
/// then the driver (libcuda), then ONNX Runtime's session on the device, which loads CUDA's libraries.
/// </remarks>
internal sealed class ScoringExecution : IDisposable
{
    private readonly OnnxScorer? _owned;

    private ScoringExecution(IModelScorer scorer, string device, string description, bool fellBack, OnnxScorer? owned)
    {
        Scorer = scorer;
        Device = device;
        Description = description;
        FellBack = fellBack;
        _owned = owned;
    }

    public IModelScorer Scorer { get; }

    /// <summary><c>cpu</c> or <c>cuda</c>, as the job's status reports devices.</summary>
    public string Device { get; }

    /// <summary>The scorer's type: the compiled evaluator the artifact chose, or <c>OnnxScorer</c>.</summary>
    public string Engine => Scorer.GetType().Name;

    /// <summary><c>cuda:0 (NVIDIA H100 80GB HBM3)</c>, <c>cpu (why not CUDA)</c> for a gpu job that did not get it, or <c>cpu</c>.</summary>
    public string Description { get; }

    /// <summary>Whether a gpu job is scored on the CPU (with the reason in <see cref="Description"/>).</summary>
    public bool FellBack { get; }

    /// <exception cref="InvalidOperationException">The job asks for the gpu pool, this worker's setting is <c>cuda</c> and CUDA cannot score it.</exception>
    public static ScoringExecution For(TrainingJob job, ModelArtifact artifact, BatchScoringOptions options)
    {
        if (job.Spec.Resources?.Accelerator != ResourceRequest.Types.Accelerator.Gpu)
        {
            return new ScoringExecution(artifact.Scorer, "cpu", "cpu", fellBack: false, owned: null);
        }
        if (options.ExecutionProvider == ScoringExecutionProvider.Cpu)
        {
            return new ScoringExecution(artifact.Scorer, "cpu", $"cpu ({BatchScoringOptions.SectionName}:ExecutionProvider is cpu)", fellBack: false, owned: null);
        }
        var (cuda, reason) = TryCuda(artifact, options.CudaDevice);
        if (cuda is not null) return cuda;
        if (options.ExecutionProvider == ScoringExecutionProvider.Cuda)
        {
            throw new InvalidOperationException($"Job {job.Id} was sent to the gpu pool and this worker's {BatchScoringOptions.SectionName}:ExecutionProvider is cuda, but it cannot score on CUDA: {reason}. Fix that, or set ExecutionProvider to auto to score such jobs on the CPU evaluator instead.");
        }
        return new ScoringExecution(artifact.Scorer, "cpu", $"cpu ({reason})", fellBack: true, owned: null);
    }

    private static (ScoringExecution? Execution, string Reason) TryCuda(ModelArtifact artifact, int deviceId)
    {
        if (!artifact.IsTreeModel)
        {
            return (null, $"the version is an imported {artifact.Manifest.EffectiveFramework} model; the CUDA path scores XGBoost tree ensembles");
        }
        if (!OnnxProviders.CudaInThisBuild)
        {
            return (null, "CUDA provider not in this build: publish the worker with -p:CascadeOnnxRuntime=gpu");
        }
        var probe = CudaDriver.Probe(deviceId);
        if (!probe.Present) return (null, probe.Description);
        var device = OnnxDevice.Cuda(deviceId);
        OnnxScorer scorer;
        try
        {
            scorer = OnnxTreeScoring.Open(artifact, device);
        }
        catch (OnnxDeviceException ex)
        {
            return (null, OneLine(ex.Message));
        }
        catch (ArtifactException ex)
        {
            return (null, $"on {device} the model disagrees with its golden samples: {OneLine(ex.Message)}");
        }
        catch (Exception ex) when (ex is ModelExportException or UnsupportedModelException)
        {
            // UnsupportedModelException: the graph loaded but its first run failed on the device (out of memory, a kernel error).
            return (null, OneLine(ex.Message));
        }
        return (new ScoringExecution(scorer, "cuda", $"{device} ({probe.Description}{OffDevice(scorer)})", fellBack: false, scorer), string.Empty);
    }

    /// <summary>The operators ONNX Runtime left to another provider than CUDA, which would make "on the GPU" only partly true.</summary>
    private static string OffDevice(OnnxScorer scorer)
    {
        var others = scorer.Placement.Where(p => p.Provider != OnnxProviders.Cuda).Select(p => $"{p.Operator} on {p.Provider}").Distinct(StringComparer.Ordinal).ToArray();
        return others.Length == 0 ? string.Empty : $"; {string.Join(", ", others)}";
    }

    private static string OneLine(string text) => string.Join(' ', text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    public void Dispose() => _owned?.Dispose();
}
