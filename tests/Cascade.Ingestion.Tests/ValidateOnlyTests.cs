using Cascade.Contracts.Events;
using Cascade.Contracts.Ingestion.V1;
using Cascade.EventLog.Abstractions;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.Ingestion.Tests;

/// <summary>
/// <c>RegisterDataset</c> with <c>validate_only</c>, the server-side dry run behind <c>cascade apply</c>: it answers what
/// registering would give and refuses what registering would refuse, and writes nothing (no version, no topic).
/// </summary>
public sealed class ValidateOnlyTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-ingestion-validate-").FullName;
    private InProcessHost _host = null!;

    public async Task InitializeAsync() => _host = await InProcessHost.StartAsync(_data);

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    private Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient Client => new(_host.Channel);

    private Task<IReadOnlyDictionary<int, long>> TopicAsync() => _host.Host.Services.GetRequiredService<IEventLog>().GetEndOffsetsAsync(Topics.Data("sensors"));

    [Fact]
    public async Task A_dry_run_of_a_new_dataset_answers_version_1_and_registers_nothing()
    {
        var spec = SchemaTests.Spec(("x", ValueType.Float64, true));

        var preview = await Client.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = spec, ValidateOnly = true });

        preview.Spec.Should().Be(spec);
        preview.Meta.SchemaVersion.Should().Be(1);
        preview.Meta.Topic.Should().Be(Topics.Data("sensors"));
        var get = async () => await Client.GetDatasetAsync(new GetDatasetRequest { Name = "sensors" });
        (await get.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.NotFound);
        (await Client.ListDatasetsAsync(new ListDatasetsRequest())).Datasets.Should().BeEmpty();
        (await TopicAsync()).Should().BeEmpty("a dry run creates no topic");

        await Client.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = spec });
        (await TopicAsync()).Should().NotBeEmpty("registering for real creates the topic");
    }

    [Fact]
    public async Task A_dry_run_answers_the_next_version_for_a_change_and_the_same_for_an_equal_spec_and_stores_neither()
    {
        var current = SchemaTests.Spec(("x", ValueType.Float64, true));
        await Client.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = current });
        var compatible = SchemaTests.Spec(("x", ValueType.Float64, true), ("y", ValueType.String, false));

        (await Client.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = compatible, ValidateOnly = true })).Meta.SchemaVersion.Should().Be(2);
        (await Client.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = current, ValidateOnly = true })).Meta.SchemaVersion.Should().Be(1);

        var stored = await Client.GetDatasetAsync(new GetDatasetRequest { Name = "sensors" });
        stored.Meta.SchemaVersion.Should().Be(1);
        stored.Spec.Should().Be(current);
        (await Client.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = current })).Meta.SchemaVersion.Should().Be(1, "re-registering the current spec is no new version");
    }

    [Fact]
    public async Task A_dry_run_refuses_what_registering_refuses_with_the_same_status_and_reason()
    {
        await Client.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = SchemaTests.Spec(("x", ValueType.Float64, true)) });
        var retyped = SchemaTests.Spec(("x", ValueType.Int64, true));

        var dryRun = async () => await Client.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = retyped, ValidateOnly = true });
        var real = async () => await Client.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = retyped });

        var refused = (await dryRun.Should().ThrowAsync<RpcException>()).Which;
        refused.StatusCode.Should().Be(StatusCode.FailedPrecondition);
        refused.Status.Detail.Should().Contain("column 'x' changes type from Float64 to Int64");
        (await real.Should().ThrowAsync<RpcException>()).Which.Status.Should().Be(refused.Status);
        var invalid = async () => await Client.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = new DatasetSpec { Name = "Bad Name" }, ValidateOnly = true });
        (await invalid.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.InvalidArgument);
    }

    [Fact]
    public async Task Sensitive_columns_are_stored_and_returned_and_marking_one_is_a_compatible_new_version()
    {
        var spec = SchemaTests.Spec(("email", ValueType.String, false), ("x", ValueType.Float64, true));
        await Client.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = spec });
        var marked = spec.Clone();
        marked.Columns[0].Sensitive = true;

        var registered = await Client.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = marked });

        registered.Meta.SchemaVersion.Should().Be(2);
        var stored = await Client.GetDatasetAsync(new GetDatasetRequest { Name = "sensors" });
        stored.Spec.Columns.Select(c => (c.Name, c.Sensitive)).Should().Equal(("email", true), ("x", false));
        (await Client.ListDatasetsAsync(new ListDatasetsRequest())).Datasets.Single().Spec.Columns[0].Sensitive.Should().BeTrue();
    }
}
