using Cascade.Hosting;

namespace Cascade.Training.Messaging;

/// <summary>
/// The queues jobs and their status travel on: <c>train-cpu</c> and <c>train-gpu</c> (a pool each, competing
/// workers), and <c>training-job-status</c> back to Training; each under the broker's
/// <see cref="RabbitMqOptions.Namespace"/>, so deployments sharing a broker never take each other's jobs. Commands
/// in the outbox keep the logical name; the physical one is chosen when they are sent.
/// </summary>
public sealed class JobQueues(string @namespace)
{
    public const string Cpu = "train-cpu";
    public const string Gpu = "train-gpu";
    public const string Status = "training-job-status";

    public JobQueues(RabbitMqOptions rabbitMq) : this(rabbitMq.Namespace)
    {
    }

    /// <summary>The queue's name on the broker.</summary>
    public string Physical(string queue) => string.IsNullOrEmpty(@namespace) ? queue : $"{@namespace}.{queue}";

    /// <summary>The address MassTransit sends to.</summary>
    public Uri Address(string queue) => new($"queue:{Physical(queue)}");
}
