using System.Collections.Concurrent;
using System.Security.Authentication;
using Cascade.Contracts.Training.V1;
using Cascade.Hosting;
using Cascade.Hosting.Tls;
using Cascade.Training;
using Cascade.Training.Messaging;
using Cascade.Training.Storage;
using Google.Protobuf;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cascade.Infrastructure.Tests.Tls;

/// <summary>
/// Training's MassTransit job bus, configured from <see cref="RabbitMqOptions"/> (<c>Cascade__Infrastructure__RabbitMq__Ssl</c>,
/// <c>…__Port</c>, <c>…__CaFile</c>, <c>…__ClientCertificateFile</c>, <c>…__ClientKeyFile</c>, <c>…__Username</c>,
/// <c>…__Password</c>), against a RabbitMQ node whose only listener is TLS and that requires a client certificate.
/// </summary>
public sealed class RabbitMqTlsTests(TlsRabbitMqNode node, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<TlsRabbitMqNode>, IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-rabbit-tls-jobs-").FullName;
    private readonly AllLogs _logs = new();

    private RabbitMqOptions Options(string? password = null, string? caFile = null, bool clientCertificate = true) => new()
    {
        Host = "127.0.0.1",
        Port = node.Port,
        Ssl = true,
        CaFile = caFile ?? node.Ca.CertificateFile,
        ClientCertificateFile = clientCertificate ? node.Client.CertificateFile : string.Empty,
        ClientKeyFile = clientCertificate ? node.Client.KeyFile : string.Empty,
        Username = node.Username,
        Password = password ?? node.Password,
        Namespace = Servers.Unique("tls"),
    };

    /// <summary>The Training scheduler's side of the bus: it consumes the workers' job reports from its status queue.</summary>
    private ServiceProvider Training(RabbitMqOptions rabbit)
    {
        InfrastructureSecurity.ThrowIfInvalid(new InfrastructureOptions { Jobs = JobTransport.RabbitMq, RabbitMq = rabbit });
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(_logs));
        services.AddCascadeTraining(o =>
        {
            o.Scheduler = true;
            o.CpuWorker = false;
            o.GpuWorker = false;
            o.Transport = JobTransport.RabbitMq;
            o.RabbitMq = rabbit;
            o.DatabasePath = Path.Combine(_data, $"{Guid.NewGuid():N}.db");
            o.WorkDirectory = Path.Combine(_data, "work");
        });
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task A_job_report_is_sent_and_consumed_over_tls_with_the_credentials_and_a_client_certificate()
    {
        var rabbit = Options();
        await using var provider = Training(rabbit);
        var bus = provider.GetRequiredService<IBusControl>();
        using var start = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await bus.StartAsync(start.Token);
        try
        {
            var store = provider.GetRequiredService<TrainingStore>();
            var job = new TrainingJob { Id = Servers.Unique("job"), Spec = new TrainingJobSpec { Model = "tls-model" }, Status = new TrainingJobStatus { State = JobState.Queued } };
            store.AddJob(job, new OutboxCommand(JobQueues.Cpu, []), labeledRows: 0);

            // What a worker in another process sends when it takes the job.
            var report = await bus.GetSendEndpoint(new JobQueues(rabbit).Address(JobQueues.Status));
            await report.Send(new TrainingJobStatusChanged(job.Id, new TrainingJobStatus { State = JobState.Running, Worker = "tls-worker", Attempts = 1 }.ToByteArray()));

            await Eventually.WaitUntilAsync(() => store.GetJob(job.Id)!.Status.State == JobState.Running, "the report is consumed over TLS", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
            store.GetJob(job.Id)!.Status.Worker.Should().Be("tls-worker");
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
        }
        _logs.Text.Should().NotContain(node.Password);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_and_neither_the_error_nor_the_log_shows_it()
    {
        const string wrong = "not-the-rabbit-password-77c0";
        await using var provider = Training(Options(password: wrong));
        var bus = provider.GetRequiredService<IBusControl>();

        var error = await StartRefusedAsync(bus);

        Chain(error).Should().Contain(e => e is RabbitMQ.Client.Exceptions.AuthenticationFailureException, "the node refused the login");
        error.ToString().Should().NotContain(wrong).And.NotContain(node.Password);
        _logs.Text.Should().Contain("ACCESS_REFUSED").And.NotContain(wrong).And.NotContain(node.Password);
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_nodes_ca_does_not_connect()
    {
        await using var provider = Training(Options(caFile: node.Stranger.CertificateFile));
        var bus = provider.GetRequiredService<IBusControl>();

        var error = await StartRefusedAsync(bus);

        Chain(error).Should().Contain(e => e is AuthenticationException && e.Message.Contains("RemoteCertificateValidationCallback"), "the client rejected the node's certificate");
        error.ToString().Should().NotContain(node.Password);
        _logs.Text.Should().NotContain(node.Password);
    }

    [Fact]
    public async Task Without_a_client_certificate_the_node_refuses_the_connection()
    {
        await using var provider = Training(Options(clientCertificate: false));
        var bus = provider.GetRequiredService<IBusControl>();

        var error = await StartRefusedAsync(bus);

        Chain(error).Should().Contain(e => e is AuthenticationException, "the node ended the TLS handshake");
        Chain(error).Should().NotContain(e => e is RabbitMQ.Client.Exceptions.AuthenticationFailureException, "it never got as far as the login");
    }

    /// <summary>
    /// The bus does not start: its connection is refused. A refused login ends the start at once; a failed handshake is
    /// retried until the start is given up, and the last connection error is what it throws.
    /// </summary>
    private async Task<Exception> StartRefusedAsync(IBusControl bus)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(12));
        try
        {
            var start = () => bus.StartAsync(timeout.Token);
            var error = (await start.Should().ThrowAsync<Exception>()).Which;
            output.WriteLine(error.ToString());
            return error;
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
        }
    }

    private static IEnumerable<Exception> Chain(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain)) yield return inner;
                yield break;
            }
        }
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);

    /// <summary>Every log line with its exception, as a log shipper would keep it.</summary>
    private sealed class AllLogs : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public string Text => string.Join('\n', _lines);

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(AllLogs logs, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                logs._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}
