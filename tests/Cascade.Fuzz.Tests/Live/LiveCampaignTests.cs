using Cascade.Fuzz.Live;
using Cascade.Hosting.Grpc;

namespace Cascade.Fuzz.Tests.Live;

/// <summary>
/// A few thousand generated cases against an in-process all-in-one host (the campaign of <c>bench/Fuzz -- live</c>,
/// smaller), and the cases earlier campaigns found something with, replayed.
/// </summary>
public sealed class LiveCampaignTests(LiveCampaignTests.Host fixture) : IClassFixture<LiveCampaignTests.Host>
{
    /// <summary>Cases per test run: the regression budget of ./test.sh (about a minute on 2 cores with the host's start).</summary>
    private const int Cases = 3_000;

    [Fact]
    public async Task Generated_cases_get_the_statuses_the_grpc_specification_prescribes_and_the_host_stays_healthy()
    {
        // A fixed seed: the same cases every run (a regression test must not fail by the day); the campaign command
        // (bench/Fuzz -- live --seed N) explores others, and what it finds goes to Corpus/live.
        const int seed = 20261206;
        var report = await fixture.Campaign.RunAsync(Cases, seed, concurrency: 8);

        report.Passed.Should().BeTrue($"seed {seed}:\n{report.Table()}");
        report.Tally.Keys.Where(k => k.StartsWith("grpc ", StringComparison.Ordinal)).Should().HaveCount(fixture.Surface.Methods.Count, "every method gets cases");
        report.Tally.Keys.Count(k => k.StartsWith("rest ", StringComparison.Ordinal)).Should().Be(fixture.Surface.Routes.Count, "every route gets cases");
    }

    [Fact]
    public async Task The_cases_earlier_campaigns_found_something_with_are_answered_as_prescribed()
    {
        using var executor = new Executor(fixture.Live.Grpc, fixture.Live.Http);
        var logged = fixture.Live.Logs.Errors.Count;
        var verdicts = new List<string>();
        foreach (var file in Corpus.Files("live"))
        {
            var fuzzCase = FuzzCase.FromJson(await File.ReadAllTextAsync(file));
            var answer = await executor.SendAsync(fuzzCase, CancellationToken.None);
            if (Classifier.Judge(fuzzCase, answer) is { } why) verdicts.Add($"{Path.GetFileName(file)}: {why}");
        }
        verdicts.Should().BeEmpty();
        fixture.Live.Logs.Errors.Skip(logged).Where(e => !Classifier.IsByDesign(e)).Should().BeEmpty();
    }

    [Fact]
    public void The_campaign_covers_every_method_of_every_served_service()
    {
        var served = GrpcHosting.ServedServices(fixture.Live.App.Services);
        fixture.Surface.Methods.Select(m => m.Service).Distinct().Should().BeEquivalentTo(served);
        foreach (var service in served.Where(s => s.StartsWith("cascade.", StringComparison.Ordinal) || s.StartsWith("inference.", StringComparison.Ordinal)))
        {
            var methods = fixture.Surface.Methods.Where(m => m.Service == service).Select(m => m.Name);
            var described = fixture.Surface.Methods.First(m => m.Service == service).Descriptor.Service;
            methods.Should().BeEquivalentTo(described.Methods.Select(m => m.Name), service);
        }
        fixture.Surface.Routes.Should().Contain(r => r.Pattern == "/v2/models/{name}/infer" && r.Verb == "POST");
        fixture.Surface.Routes.Should().Contain(r => r.Transcodes != null && r.Transcodes.Name == "IngestBatch");
    }

    [Fact]
    public async Task Records_and_labels_whose_time_is_no_date_are_refused_one_by_one()
    {
        // Found by the campaign: accepted, they were retried and dead-lettered by every consumer that read their time.
        var ingestion = new Contracts.Ingestion.V1.Ingestion.IngestionClient(fixture.Live.Channel);
        var record = LiveHost.SampleRecord(1, DateTimeOffset.UtcNow);
        record.EventTime = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = long.MaxValue };
        var ingested = await ingestion.IngestBatchAsync(new Contracts.Ingestion.V1.IngestRequest { Dataset = LiveHost.Dataset, Records = { record } });
        ingested.Accepted.Should().Be(0);
        ingested.Errors.Should().ContainSingle().Which.Reason.Should().Contain("not a valid timestamp");

        var labels = await ingestion.SubmitLabelsAsync(new Contracts.Ingestion.V1.SubmitLabelsRequest
        {
            Labels =
            {
                new Contracts.Ingestion.V1.Label { Model = LiveHost.Model, EntityId = "d1", EventTime = new Google.Protobuf.WellKnownTypes.Timestamp { Nanos = -1 }, Value = 1 },
                new Contracts.Ingestion.V1.Label { Model = " ", EntityId = "d1", Value = 1 },
            },
        });
        labels.Accepted.Should().Be(0);
        labels.Errors.Select(e => e.Reason).Should().Equal("event_time is not a valid timestamp (0001-01-01 to 9999-12-31 UTC, nanos 0 to 999999999)", "model is required");
    }

    [Fact]
    public async Task A_refusal_that_quotes_a_huge_request_keeps_its_status_message_short()
    {
        // Found by the campaign: half a megabyte quoted into grpc-message broke the client's HTTP/2 connection (HPACK limit).
        var ingestion = new Contracts.Ingestion.V1.Ingestion.IngestionClient(fixture.Live.Channel);
        var refused = async () => await ingestion.GetDatasetAsync(new Contracts.Ingestion.V1.GetDatasetRequest { Name = new string('x', 200_000) });

        var status = (await refused.Should().ThrowAsync<Grpc.Core.RpcException>()).Which.Status;
        status.StatusCode.Should().Be(Grpc.Core.StatusCode.NotFound);
        status.Detail.Should().StartWith("Dataset 'xxx").And.EndWith("(cut)");
        System.Text.Encoding.UTF8.GetByteCount(status.Detail).Should().BeLessThanOrEqualTo(Cascade.Hosting.Grpc.StatusDetailLimit.MaxBytes);
    }

    [Fact]
    public async Task A_dataset_asking_for_millions_of_partitions_is_refused()
    {
        // Found by the campaign: accepted, every append, watermark and consumer of the topic went over int.MaxValue partitions.
        var ingestion = new Contracts.Ingestion.V1.Ingestion.IngestionClient(fixture.Live.Channel);
        var spec = new Contracts.Ingestion.V1.DatasetSpec
        {
            Name = "fuzz-partitions", EntityColumn = "device", EventTimeColumn = "ts", Partitions = int.MaxValue,
            Columns = { new Contracts.Ingestion.V1.ColumnSpec { Name = "t", Type = Contracts.Common.V1.ValueType.Float64 } },
        };
        var register = async () => await ingestion.RegisterDatasetAsync(new Contracts.Ingestion.V1.RegisterDatasetRequest { Spec = spec }, deadline: DateTime.UtcNow.AddSeconds(30));

        (await register.Should().ThrowAsync<Grpc.Core.RpcException>()).Which.Status.Should().Match<Grpc.Core.Status>(s => s.StatusCode == Grpc.Core.StatusCode.InvalidArgument && s.Detail.Contains("at most"));
    }

    public sealed class Host : IAsyncLifetime
    {
        public LiveHost Live { get; private set; } = null!;

        public Surface Surface { get; private set; } = null!;

        public Campaign Campaign { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Live = await LiveHost.StartAsync();
            Surface = Surface.Discover(Live.App.Services);
            Campaign = new Campaign(Live, Surface, new CaseFactory(new SeedBook(Live.ArtifactSha256)));
        }

        public async Task DisposeAsync() => await Live.DisposeAsync();
    }
}
