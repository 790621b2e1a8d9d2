using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Hosting.Security;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Record = Cascade.Contracts.Ingestion.V1.Record;
using Value = Cascade.Contracts.Common.V1.Value;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.Cli.Tests.Commands;

/// <summary>
/// <c>cascade erase</c>, the real command line against an all-in-one host on free ports: an entity's online features and
/// offline rows go, the host's audit log records who erased what, a second erasure removes nothing more, and a new
/// version of the view, which materializes the data topic from its beginning, does not bring the entity back.
/// </summary>
public sealed class EraseCommandTests : IAsyncLifetime
{
    private const string Dataset = "people";
    private const string View = "people-view";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-cli-erase-").FullName;
    private InProcessHost _host = null!;

    public async Task InitializeAsync() => _host = await InProcessHost.StartAsync(Path.Combine(_data, "host"));

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    private Cascade.Contracts.Features.V1.Features.FeaturesClient Features => new(_host.Channel);

    private Task<CascadeProcess.Result> Erase(params string[] args) => CascadeProcess.RunAsync(["erase", .. args, "--grpc", _host.Grpc]);

    private async Task ApplyViewAsync(params string[] passthrough) =>
        await Features.ApplyFeatureViewAsync(new ApplyFeatureViewRequest { Spec = new FeatureViewSpec { Name = View, Dataset = Dataset, Passthrough = { passthrough } } });

    private async Task<EntityFeatures[]> OnlineAsync() =>
        (await Features.GetOnlineFeaturesAsync(new GetOnlineFeaturesRequest { FeatureView = View, EntityIds = { "alice", "bob" } })).Entities.ToArray();

    [Fact]
    public async Task It_erases_an_entitys_features_audits_it_and_the_entity_stays_out_of_a_rematerialized_view()
    {
        var ingestion = new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(_host.Channel);
        await ingestion.RegisterDatasetAsync(new RegisterDatasetRequest
        {
            Spec = new DatasetSpec
            {
                Name = Dataset, EntityColumn = "person_id", EventTimeColumn = "ts",
                Columns = { new ColumnSpec { Name = "x", Type = ValueType.Float64 }, new ColumnSpec { Name = "y", Type = ValueType.Float64 } },
            },
        });
        await ApplyViewAsync("x");
        var batch = new IngestRequest { Dataset = Dataset };
        for (var i = 0; i < 6; i++)
        {
            var record = new Record { RecordId = $"r{i}", EntityId = i % 2 == 0 ? "alice" : "bob", EventTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(i)) };
            record.Values["x"] = new Value { Float64Value = i };
            record.Values["y"] = new Value { Float64Value = -i };
            batch.Records.Add(record);
        }
        (await ingestion.IngestBatchAsync(batch)).Accepted.Should().Be(6);
        await Eventually.WaitUntilAsync(async () => (await OnlineAsync()).All(e => e.Found), "both entities are materialized", Deadline);

        var erased = await Erase("alice", "--dataset", Dataset);

        erased.ExitCode.Should().Be(0, erased.ToString());
        erased.Output.Should().Contain($"erased entity 'alice' of dataset '{Dataset}' (feature views {View}): 1 online vector(s), 3 offline row(s), 1 window state(s) removed");
        var online = await OnlineAsync();
        online[0].Found.Should().BeFalse("alice's online vector is gone");
        online[1].Found.Should().BeTrue("bob's is not");
        var audit = _host.Host.Services.GetRequiredService<SqliteAuditTrail>().Read(0, 10_000).Where(e => e.Action == "entity.erased").ToArray();
        var entry = audit.Should().ContainSingle().Which;
        (entry.Principal, entry.Target, entry.Outcome).Should().Be(("anonymous", $"{Dataset}/alice", "succeeded"));
        entry.Detail.Should().Contain("online vectors 1, offline rows 3, window states 1");

        var again = await Erase("alice", "--dataset", Dataset);
        again.ExitCode.Should().Be(0, again.ToString());
        again.Output.Should().Contain("0 online vector(s), 0 offline row(s), 0 window state(s) removed");

        // A new version of the view replays the data topic from its start: bob comes back with the new feature, alice does not.
        await ApplyViewAsync("x", "y");
        await Eventually.WaitUntilAsync(async () => (await OnlineAsync())[1].Values.Count == 2, "version 2 materializes bob", Deadline);
        await Eventually.WaitUntilAsync(
            async () => (await Features.GetMaterializationStatusAsync(new GetMaterializationStatusRequest { FeatureView = View })).Watermark.Partitions.Sum(p => p.Offset) == 6,
            "version 2 has read every record", Deadline);
        (await OnlineAsync())[0].Found.Should().BeFalse("alice's records were erased from every view, the ones to come included");
    }

    [Fact]
    public async Task The_dataset_is_required()
    {
        var missing = await CascadeProcess.RunAsync("erase", "alice", "--grpc", _host.Grpc);

        missing.ExitCode.Should().NotBe(0);
        missing.Error.Should().Contain("--dataset");
    }
}
