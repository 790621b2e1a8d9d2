using Cascade.Cli.Demo;
using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Training.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Cascade.Host;
using Cascade.Hosting;
using Cascade.Training;
using Cascade.Training.Domain;
using Cascade.Training.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace Cascade.Infrastructure.Tests;

/// <summary>Training jobs through MassTransit over the local RabbitMQ: cpu/gpu routing, retries and the dead-letter queue.</summary>
public sealed class RabbitMqJobTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-rabbit-").FullName;

    // Queues of this test alone: a command another test left in a shared queue would be trained here.
    private readonly RabbitMqOptions _rabbitMq = new() { Port = Servers.RabbitMq, Namespace = Servers.Unique("jobs") };
    private readonly LogCollector _logs = new();
    private Microsoft.AspNetCore.Builder.WebApplication _host = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        var infrastructure = new InfrastructureOptions { Jobs = JobTransport.RabbitMq, RabbitMq = _rabbitMq };
        var options = new AllInOneHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = _data, Infrastructure = infrastructure };
        _host = AllInOneHost.Build(options, logging => logging.SetMinimumLevel(LogLevel.Information).AddProvider(_logs));
        await _host.StartAsync();
        _channel = GrpcChannel.ForAddress(AllInOneHost.GetAddresses(_host, options).Grpc);
        await RecordStreamer.SetUpAsync(_channel, CancellationToken.None);
    }

    private async Task<uint> MessagesIn(string queue)
    {
        var factory = new ConnectionFactory { HostName = "127.0.0.1", Port = Servers.RabbitMq };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(new JobQueues(_rabbitMq).Physical(queue))).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return 0; // not declared yet
        }
    }

    private Task<TrainingJob> AwaitJobAsync(string id, Func<TrainingJob, bool> condition) =>
        Eventually.WaitForAsync(
            async () => await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).GetJobAsync(new GetJobRequest { Id = id }),
            condition, $"job {id} reaches the state awaited", TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(200));

    [Fact]
    public async Task A_job_is_trained_by_a_cpu_worker_over_rabbitmq_and_its_status_comes_back()
    {
        var stream = new SyntheticStream(driftAt: long.MaxValue);
        for (var batch = 0; batch < 3; batch++)
        {
            var request = new IngestRequest { Dataset = DemoDataset.Name };
            request.Records.Add(Enumerable.Range(0, 3_500).Select(_ => DemoDataset.ToRecord(stream.Next())));
            await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(_channel).IngestBatchAsync(request);
        }
        var jobs = await Eventually.WaitForAsync(
            async () => await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).ListJobsAsync(new ListJobsRequest { Model = DemoDataset.Model }),
            listed => listed.Jobs.Count > 0, "10,000 labeled rows queue a job", TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(200));

        var done = await AwaitJobAsync(jobs.Jobs[0].Id, j => j.Status.State is JobState.Succeeded or JobState.Failed);

        done.Status.State.Should().Be(JobState.Succeeded, done.Status.Error);
        done.Status.ModelVersion.Should().Be(1);
        done.Status.Device.Should().Be("cpu");
    }

    [Fact]
    public async Task A_gpu_job_waits_in_the_gpu_queue_when_no_worker_has_cuda()
    {
        var job = await QueueGpuJobAsync("gpu routing test");
        await Eventually.WaitUntilAsync(async () => await MessagesIn("train-gpu") == 1, "the gpu job's command is on the broker");

        // A worker taking it would empty the queue and move the job on within a moment: watched, failing at once.
        await Eventually.ThroughoutAsync(async () =>
        {
            (await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).GetJobAsync(new GetJobRequest { Id = job.Id })).Status.State.Should().Be(JobState.Queued);
            (await MessagesIn("train-gpu")).Should().Be(1, "no worker here has XGBoost with CUDA, so the gpu job waits for one");
        }, TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task A_job_that_keeps_failing_is_retried_then_marked_failed_and_dead_lettered()
    {
        await IngestLabeledAsync(20); // too few rows: every attempt fails with the reason

        var job = await TriggerOnceMaterializedAsync("dead-letter test");
        var failed = await AwaitJobAsync(job.Id, j => j.Status.State == JobState.Failed);

        failed.Status.Attempts.Should().Be(3);
        failed.Status.Error.Should().Contain("Not enough labeled rows");
        (await Eventually.WaitForAsync(() => MessagesIn("train-cpu_error"), n => n > 0, "the command reaches the pool's dead-letter queue"))
            .Should().Be(1, "the command ends in the pool's dead-letter queue");
    }

    [Fact]
    public async Task A_worker_in_another_process_skips_a_job_cancelled_while_its_command_waited_in_the_queue()
    {
        var job = await QueueGpuJobAsync("cancel test");
        (await Eventually.WaitForAsync(() => MessagesIn("train-gpu"), n => n > 0, "the gpu job's command reaches the broker"))
            .Should().Be(1, "the command is on the broker: the outbox cannot take it back");

        await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).CancelJobAsync(new CancelJobRequest { Id = job.Id });

        // A worker-only process that claims a GPU joins the pool. Were it to train, XGBoost without CUDA would fail the
        // job (FAILED, dead-lettered); asking Training first, it skips the job.
        var data = Directory.CreateTempSubdirectory("cascade-gpu-worker-").FullName;
        var logs = new LogCollector();
        var options = new ServiceHostOptions { GrpcPort = 0, HttpPort = 0, DataDirectory = data, Infrastructure = new InfrastructureOptions { Jobs = JobTransport.RabbitMq, RabbitMq = _rabbitMq } };
        await using var worker = ServiceHost.Build(options, [], (services, directory) =>
        {
            services.AddSingleton<IRegistryGateway>(new GrpcRegistryGateway(new Cascade.Contracts.Registry.V1.Registry.RegistryClient(_channel)));
            services.AddSingleton<IJobCancellation>(sp => new GrpcJobCancellation(new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel), sp.GetRequiredService<ILogger<GrpcJobCancellation>>()));
            services.AddCascadeTraining(o =>
            {
                o.Scheduler = false;
                o.CpuWorker = false;
                o.GpuWorker = true;
                o.Transport = JobTransport.RabbitMq;
                o.RabbitMq = _rabbitMq;
                o.WorkDirectory = Path.Combine(directory, "work");
                o.WorkerName = "gpu-test-worker";
            }, signing => signing.PrivateKeyFile = Cascade.Ml.Signing.SigningKeyFiles.EnsureCreated(Path.Combine(directory, "model-signing.key")));
        }, logging => logging.SetMinimumLevel(LogLevel.Information).AddProvider(logs));
        await worker.StartAsync();
        var skipped = $"Training job {job.Id} was cancelled: nothing registered";
        await Eventually.WaitUntilAsync(() => logs.Messages.Contains(skipped), "the worker takes the command and skips it");

        logs.Messages.Should().NotContain(m => m.Contains("failed on attempt", StringComparison.Ordinal), "it never tried to train");
        (await MessagesIn("train-gpu")).Should().Be(0);
        (await MessagesIn("train-gpu_error")).Should().Be(0);
        var after = await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).GetJobAsync(new GetJobRequest { Id = job.Id });
        after.Status.State.Should().Be(JobState.Cancelled);
        after.Status.Worker.Should().BeEmpty("no worker ever ran it");
        var versions = await new Cascade.Contracts.Registry.V1.Registry.RegistryClient(_channel).ListModelVersionsAsync(new Contracts.Registry.V1.ListModelVersionsRequest { Model = DemoDataset.Model });
        versions.Versions.Should().BeEmpty("a cancelled job registers nothing");
        await worker.StopAsync();
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task A_running_job_that_is_cancelled_stops_and_registers_nothing()
    {
        var policy = DemoDataset.TrainingPolicy();
        policy.Rounds = 100_000; // minutes of boosting: it is still running when cancelled
        policy.Parameters["max_depth"] = "8";
        policy.Parameters["eta"] = "0.001";
        await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = policy });
        await IngestLabeledAsync(3000);
        var job = await TriggerOnceMaterializedAsync("cancel while running");
        await AwaitJobAsync(job.Id, j => j.Status.State == JobState.Running);

        await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).CancelJobAsync(new CancelJobRequest { Id = job.Id });

        var stopped = $"Training job {job.Id} was cancelled: nothing registered";
        await Eventually.WaitUntilAsync(() => _logs.Messages.Contains(stopped), "the worker sees the cancellation within a poll and stops between rounds");
        (await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).GetJobAsync(new GetJobRequest { Id = job.Id })).Status.State.Should().Be(JobState.Cancelled);
        var versions = await new Cascade.Contracts.Registry.V1.Registry.RegistryClient(_channel).ListModelVersionsAsync(new Contracts.Registry.V1.ListModelVersionsRequest { Model = DemoDataset.Model });
        versions.Versions.Should().BeEmpty();
        (await MessagesIn("train-cpu_error")).Should().Be(0, "a cancelled job is not a failure");
    }

    /// <summary>A job for the gpu pool, which no worker here serves (Debian's XGBoost has no CUDA).</summary>
    private async Task<TrainingJob> QueueGpuJobAsync(string reason)
    {
        var policy = DemoDataset.TrainingPolicy();
        policy.Resources = new ResourceRequest { Accelerator = ResourceRequest.Types.Accelerator.Gpu };
        await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).PutTrainingPolicyAsync(new PutTrainingPolicyRequest { Spec = policy });
        await IngestLabeledAsync(200);
        return await TriggerOnceMaterializedAsync(reason);
    }

    /// <summary>Triggers a job as soon as Training has seen the view materialize the records just ingested.</summary>
    private async Task<TrainingJob> TriggerOnceMaterializedAsync(string reason)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                return await new Cascade.Contracts.Training.V1.Training.TrainingClient(_channel).TriggerTrainingAsync(new TriggerTrainingRequest { Model = DemoDataset.Model, Reason = reason });
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.FailedPrecondition && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200); // Features has not published its first materialization yet
            }
        }
    }

    private async Task IngestLabeledAsync(int count)
    {
        var stream = new SyntheticStream(driftAt: long.MaxValue);
        var request = new IngestRequest { Dataset = DemoDataset.Name };
        request.Records.Add(Enumerable.Range(0, count).Select(_ => DemoDataset.ToRecord(stream.Next())));
        await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(_channel).IngestBatchAsync(request);
        // Wait for the rows to be materialized, so the trigger has a watermark to train up to.
        await Eventually.WaitForAsync(
            async () => await new Cascade.Contracts.Features.V1.Features.FeaturesClient(_channel).GetMaterializationStatusAsync(new Contracts.Features.V1.GetMaterializationStatusRequest { FeatureView = DemoDataset.FeatureView }),
            status => status.LabeledRows >= count, $"{count} labeled rows are materialized");
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _host.StopAsync();
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
        await DeleteQueuesAsync();
    }

    /// <summary>The broker is shared and queues are durable: this test's namespace goes with it.</summary>
    private async Task DeleteQueuesAsync()
    {
        var factory = new ConnectionFactory { HostName = "127.0.0.1", Port = Servers.RabbitMq };
        await using var connection = await factory.CreateConnectionAsync();
        var queues = new JobQueues(_rabbitMq);
        foreach (var queue in new[] { JobQueues.Cpu, JobQueues.Gpu, JobQueues.Status })
        {
            foreach (var suffix in new[] { string.Empty, "_error", "_skipped" })
            {
                await using var channel = await connection.CreateChannelAsync(); // a failed delete closes its channel
                try
                {
                    await channel.QueueDeleteAsync(queues.Physical(queue) + suffix);
                    await channel.ExchangeDeleteAsync(queues.Physical(queue) + suffix);
                }
                catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
                {
                    // never declared
                }
            }
        }
    }
}
