using Cascade.Ml.Native;
using Cascade.Training.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cascade.Training.Messaging;

/// <summary>What this process can train on, declared at start: its cores, whether XGBoost has CUDA, and so the queues it serves.</summary>
public sealed record WorkerCapabilities(string Worker, int Cores, bool Cuda, IReadOnlyList<string> Queues)
{
    public static WorkerCapabilities Detect(TrainingServiceOptions options)
    {
        var cuda = options.GpuWorker ?? XGBoostLibrary.HasCuda;
        var queues = new List<string>();
        if (options.CpuWorker) queues.Add(JobQueues.Cpu);
        if (cuda) queues.Add(JobQueues.Gpu);
        return new WorkerCapabilities(options.WorkerName, Environment.ProcessorCount, cuda, queues);
    }
}

/// <summary>Logs the worker's capabilities when the process starts, so operators see which pool it joined.</summary>
internal sealed partial class WorkerCapabilitiesReport(WorkerCapabilities capabilities, ILogger<WorkerCapabilitiesReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogCapabilities(logger, capabilities.Worker, capabilities.Cores, capabilities.Cuda, string.Join(", ", capabilities.Queues));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Training worker {Worker}: {Cores} cores, XGBoost with CUDA: {Cuda}; serving queues {Queues}")]
    private static partial void LogCapabilities(ILogger logger, string worker, int cores, bool cuda, string queues);
}
