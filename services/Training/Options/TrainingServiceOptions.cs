using System.ComponentModel.DataAnnotations;
using Cascade.Hosting;

namespace Cascade.Training.Options;

/// <summary>Options of the training service and of the workers it hosts.</summary>
public sealed class TrainingServiceOptions
{
    /// <summary>Configuration section name: <c>Cascade__Training__CpuWorker</c> ….</summary>
    public const string SectionName = "Cascade:Training";

    /// <summary>Path of the SQLite file holding policies and jobs.</summary>
    /// <value>The default value is <c>.cascade/training.db</c>.</value>
    [Required]
    public string DatabasePath { get; set; } = Path.Combine(".cascade", "training.db");

    /// <summary>Scratch directory where workers write artifacts before storing them.</summary>
    /// <value>The default value is <c>.cascade/work</c>.</value>
    [Required]
    public string WorkDirectory { get; set; } = Path.Combine(".cascade", "work");

    /// <summary>Name this worker reports in job status and lineage.</summary>
    /// <value>The default value is the machine name.</value>
    [Required]
    public string WorkerName { get; set; } = Environment.MachineName;

    /// <summary>Whether this process runs a worker for the cpu queue.</summary>
    /// <value>The default value is true.</value>
    public bool CpuWorker { get; set; } = true;

    /// <summary>Whether this process runs a worker for the gpu queue; by default only when libxgboost has CUDA.</summary>
    /// <value>The default value is null: decided from XGBoost's build info.</value>
    public bool? GpuWorker { get; set; }

    /// <summary>Attempts of a failing job before it is marked FAILED (with exponential backoff between them).</summary>
    /// <value>The default value is 3.</value>
    [Range(1, 10)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Git commit of the code, recorded in lineage.</summary>
    /// <value>The default value is read from the repository at start, or "unknown".</value>
    public string CodeVersion { get; set; } = "unknown";

    /// <summary>The least severe drift alert that retrains a model whose policy has <c>on_drift</c>.</summary>
    /// <value>The default value is CRITICAL: INFO and WARNING alerts are for consoles (a window of a few hundred
    /// predictions crosses a warning threshold by chance now and then); spending a GPU needs the strong evidence.</value>
    public Cascade.Contracts.Events.V1.Severity MinDriftSeverity { get; set; } = Cascade.Contracts.Events.V1.Severity.Critical;

    /// <summary>Rows a batch-scoring job scores per chunk: a job reports progress and notices cancellation between chunks.</summary>
    /// <value>The default value is 4,096.</value>
    [Range(1, 1_000_000)]
    public int ScoringChunkRows { get; set; } = 4096;

    /// <summary>How batch-scoring jobs sent to the gpu pool are scored (section <c>Cascade:Training:Scoring</c>).</summary>
    public BatchScoringOptions Scoring { get; set; } = new();

    /// <summary>Whether this process runs the Training service itself (policies, triggers, the gRPC API, job status); false for a worker-only process.</summary>
    /// <value>The default value is true.</value>
    public bool Scheduler { get; set; } = true;

    /// <summary>How jobs travel to workers: in this process's memory, or through RabbitMQ to worker processes anywhere.</summary>
    /// <value>The default value is <see cref="JobTransport.InMemory"/>.</value>
    public JobTransport Transport { get; set; } = JobTransport.InMemory;

    /// <summary>The RabbitMQ broker, when <see cref="Transport"/> is <see cref="JobTransport.RabbitMq"/>.</summary>
    public RabbitMqOptions RabbitMq { get; set; } = new();
}
