using Cascade.Cli.Demo;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Monitoring.V1;
using Cascade.Contracts.Serving.V1;
using Cascade.Contracts.Training.V1;
using Cascade.EventLog.Abstractions;
using Grpc.Core;
using Grpc.Net.Client;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;

namespace Cascade.EndToEnd.Tests;

/// <summary>
/// The challenger beside the champion: a retrain on the same data ties with the champion, so the registry makes it
/// challenger; Serving loads it, answers a canary share with it, scores shadow traffic with it, and a failed load
/// reaches ops consoles as a CRITICAL alert.
/// </summary>
public sealed class ChallengerTrafficTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-challenger-").FullName;
    private InProcessHost _host = null!;

    private GrpcChannel Channel => _host.Channel;

    public async Task InitializeAsync()
    {
        _host = await InProcessHost.StartAsync(_data);
        await RecordStreamer.SetUpAsync(Channel, CancellationToken.None);
        var stream = new SyntheticStream(driftAt: long.MaxValue);
        for (var batch = 0; batch < 3; batch++)
        {
            var request = new IngestRequest { Dataset = DemoDataset.Name };
            request.Records.Add(Enumerable.Range(0, 3_500).Select(_ => DemoDataset.ToRecord(stream.Next())));
            await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(Channel).IngestBatchAsync(request);
        }
        await AwaitStatusAsync(s => s.Version == 1, "v1 should be trained, promoted and served");
        // Same data, same deterministic training: a tie with the champion, which the gate makes challenger.
        await new Cascade.Contracts.Training.V1.Training.TrainingClient(Channel).TriggerTrainingAsync(new TriggerTrainingRequest { Model = DemoDataset.Model, Reason = "challenger test" });
        await AwaitStatusAsync(s => s.ChallengerVersion == 2, "v2 should be loaded as challenger");
    }

    [Fact]
    public async Task A_canary_share_is_answered_by_the_challenger_and_the_rest_by_the_champion()
    {
        (await Predict(version: 2)).Version.Should().Be(2, "the challenger can be asked for by its version");

        // The server-side dry run first: it answers the status the policy would give and changes nothing.
        var serving = new Cascade.Contracts.Serving.V1.Serving.ServingClient(Channel);
        (await serving.SetTrafficPolicyAsync(new SetTrafficPolicyRequest { Model = DemoDataset.Model, CanaryPercent = 50, Shadow = true, ValidateOnly = true })).Models.Single()
            .Should().Match<LoadedModel>(m => m.CanaryPercent == 50 && m.Shadow);
        (await serving.GetServingStatusAsync(new GetServingStatusRequest())).Models.Single().Should().Match<LoadedModel>(m => m.CanaryPercent == 0 && !m.Shadow);
        var outOfRange = async () => await serving.SetTrafficPolicyAsync(new SetTrafficPolicyRequest { Model = DemoDataset.Model, CanaryPercent = 150, ValidateOnly = true });
        (await outOfRange.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.InvalidArgument);
        for (var i = 0; i < 20; i++) (await Predict()).Version.Should().Be(1, "a dry run routes nothing to the challenger");

        var status = await serving.SetTrafficPolicyAsync(new SetTrafficPolicyRequest { Model = DemoDataset.Model, CanaryPercent = 50 });
        status.Models.Single().CanaryPercent.Should().Be(50);
        var answers = new List<PredictResponse>();
        for (var i = 0; i < 200; i++) answers.Add(await Predict());

        var byChallenger = answers.Count(a => a.Version == 2);
        byChallenger.Should().BeInRange(40, 160, "about half of 200 requests go to the challenger");
        answers.Where(a => a.Version == 2).Should().OnlyContain(a => a.Canary);
        answers.Where(a => a.Version == 1).Should().OnlyContain(a => !a.Canary);
    }

    [Fact]
    public async Task Shadow_traffic_is_scored_and_logged_by_the_challenger_but_never_returned()
    {
        await new Cascade.Contracts.Serving.V1.Serving.ServingClient(Channel).SetTrafficPolicyAsync(new SetTrafficPolicyRequest { Model = DemoDataset.Model, Shadow = true });
        var answers = new List<PredictResponse>();
        for (var i = 0; i < 50; i++) answers.Add(await Predict(requestId: $"shadow-{i}"));
        answers.Should().OnlyContain(a => a.Version == 1);

        var log = _host.Host.Services.GetRequiredService<IEventLog>();
        await using var consumer = log.Subscribe(new ConsumerOptions("test-shadow-reader", [Topics.PredictionsLogged]));
        var shadows = new HashSet<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (shadows.Count < 50 && DateTime.UtcNow < deadline)
        {
            foreach (var record in await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(500)))
            {
                var logged = EventEnvelopes.Unwrap(EventEnvelope.Parser.ParseFrom(record.Value.Span), PredictionLogged.Parser);
                if (logged.Shadow && logged.RequestId.StartsWith("shadow-", StringComparison.Ordinal))
                {
                    logged.Version.Should().Be(2);
                    shadows.Add(logged.RequestId);
                }
            }
        }
        shadows.Should().HaveCount(50, "every request the champion answered was also scored by the challenger");
    }

    [Fact]
    public async Task Traffic_policies_with_a_bad_share_or_an_unserved_model_are_refused()
    {
        var tooMuch = async () => await new Cascade.Contracts.Serving.V1.Serving.ServingClient(Channel).SetTrafficPolicyAsync(new SetTrafficPolicyRequest { Model = DemoDataset.Model, CanaryPercent = 150 });
        var error = (await tooMuch.Should().ThrowAsync<RpcException>()).Which;
        error.StatusCode.Should().Be(StatusCode.InvalidArgument);
        error.Status.Detail.Should().Contain("between 0 and 100");
        var unknown = async () => await new Cascade.Contracts.Serving.V1.Serving.ServingClient(Channel).SetTrafficPolicyAsync(new SetTrafficPolicyRequest { Model = "nope", CanaryPercent = 10 });
        (await unknown.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.NotFound);
    }

    [Fact]
    public async Task A_failed_load_reaches_ops_consoles_as_a_critical_alert_and_retrains_nothing()
    {
        using var watch = new Cascade.Contracts.Monitoring.V1.Monitoring.MonitoringClient(Channel).WatchAlerts(new WatchAlertsRequest { Models = { DemoDataset.Model }, MinSeverity = Severity.Critical, Replay = 10 });
        await using var alerts = watch.ResponseStream.ReadAllAsync().GetAsyncEnumerator();
        // The replay delivers the alert even if it is raised before the stream is open; no other critical alert exists here.
        var next = alerts.MoveNextAsync().AsTask();

        // What Serving publishes when a promoted version does not load (e.g. its artifact fails verification).
        var failed = new ModelLoadFailed { Model = DemoDataset.Model, Version = 7, KeptVersion = 1, Reason = "artifact hash mismatch" };
        await _host.Host.Services.GetRequiredService<IEventLog>().AppendAsync(Topics.ModelLoadFailed,
            [new OutgoingRecord(DemoDataset.Model, EventEnvelopes.Wrap(failed, DemoDataset.Model, "cascade-serving").ToByteArray())]);

        (await next.WaitAsync(TimeSpan.FromSeconds(30))).Should().BeTrue();
        alerts.Current.Kind.Should().Be(DriftKind.ModelLoadFailed);
        alerts.Current.Severity.Should().Be(Severity.Critical);
        alerts.Current.Summary.Should().Contain("v1 keeps serving").And.Contain("artifact hash mismatch");
        // A drift retrain would be queued once the policy's debounce (2 s) has passed since the alert: watch for one
        // for well past that, failing at once if it appears.
        await Eventually.ThroughoutAsync(async () =>
        {
            var jobs = await new Cascade.Contracts.Training.V1.Training.TrainingClient(Channel).ListJobsAsync(new ListJobsRequest { Model = DemoDataset.Model });
            jobs.Jobs.Should().NotContain(j => j.Spec.Trigger == TriggerKind.Drift, "a failed load is not drift");
        }, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(250));
    }

    private Task<PredictResponse> Predict(int version = 0, string requestId = "") =>
        new Cascade.Contracts.Serving.V1.Serving.ServingClient(Channel).PredictAsync(new PredictRequest { Model = DemoDataset.Model, Version = version, RequestId = requestId, EntityId = $"device-{Random.Shared.Next(500):D4}" }).ResponseAsync;

    private Task AwaitStatusAsync(Func<LoadedModel, bool> condition, string because) =>
        Eventually.WaitForAsync(
            async () => (await new Cascade.Contracts.Serving.V1.Serving.ServingClient(Channel).GetServingStatusAsync(new GetServingStatusRequest())).Models.FirstOrDefault(m => m.Model == DemoDataset.Model),
            model => model is not null && condition(model), because, TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(100));

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
