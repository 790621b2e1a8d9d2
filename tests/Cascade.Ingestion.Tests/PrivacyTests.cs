using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.EventLog.Abstractions;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using ValueType = Cascade.Contracts.Common.V1.ValueType;

namespace Cascade.Ingestion.Tests;

/// <summary>
/// A column's privacy: stored with the schema, set only on sensitive columns, changed in a compatible new version, and
/// announced as <c>DatasetRegistered</c> on every registration (and at start) for Serving to withhold its features.
/// </summary>
public sealed class PrivacyTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-ingestion-privacy-").FullName;
    private InProcessHost _host = null!;

    public async Task InitializeAsync() => _host = await InProcessHost.StartAsync(_data);

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    private Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient Client => new(_host.Channel);

    /// <summary>Every <c>DatasetRegistered</c> on the topic so far, oldest first.</summary>
    private async Task<List<DatasetRegistered>> AnnouncedAsync(int atLeast)
    {
        var log = _host.Host.Services.GetRequiredService<IEventLog>();
        await using var consumer = log.Subscribe(new ConsumerOptions($"test.{Guid.NewGuid():N}", [Topics.DatasetsRegistered]));
        var announced = new List<DatasetRegistered>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (announced.Count < atLeast && DateTime.UtcNow < deadline)
        {
            foreach (var record in await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(200)))
            {
                announced.Add(EventEnvelopes.Unwrap(EventEnvelope.Parser.ParseFrom(record.Value.Span), DatasetRegistered.Parser));
            }
        }
        return announced;
    }

    [Fact]
    public async Task A_columns_privacy_is_stored_and_announced_and_changing_it_is_a_compatible_new_version()
    {
        var spec = SchemaTests.Spec(("email", ValueType.String, false), ("x", ValueType.Float64, true));
        spec.Columns[0].Sensitive = true;
        await Client.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = spec });
        var dropped = spec.Clone();
        dropped.Columns[0].Privacy = ColumnPrivacy.Drop;

        var registered = await Client.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = dropped });

        registered.Meta.SchemaVersion.Should().Be(2);
        (await Client.GetDatasetAsync(new GetDatasetRequest { Name = "sensors" })).Spec.Columns[0].Privacy.Should().Be(ColumnPrivacy.Drop);
        var announced = (await AnnouncedAsync(atLeast: 2)).Where(a => a.Dataset == "sensors").ToArray();
        announced.Should().HaveCountGreaterThanOrEqualTo(2);
        var latest = announced.MaxBy(a => a.SchemaVersion)!;
        latest.SchemaVersion.Should().Be(2);
        latest.Columns.Select(c => (c.Name, c.Sensitive, c.Privacy)).Should().Equal(("email", true, ColumnPrivacy.Drop), ("x", false, ColumnPrivacy.Unspecified));
    }

    [Fact]
    public async Task Registering_an_unchanged_spec_announces_it_again()
    {
        var spec = SchemaTests.Spec(("x", ValueType.Float64, true));
        await Client.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = spec });

        (await Client.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = spec })).Meta.SchemaVersion.Should().Be(1);

        (await AnnouncedAsync(atLeast: 2)).Count(a => a.Dataset == "sensors" && a.SchemaVersion == 1).Should().BeGreaterThanOrEqualTo(2, "an announcement the log missed is repaired by registering again");
    }

    [Fact]
    public async Task Privacy_on_a_column_not_marked_sensitive_is_refused_and_a_dry_run_refuses_it_too()
    {
        var spec = SchemaTests.Spec(("email", ValueType.String, false));
        spec.Columns[0].Privacy = ColumnPrivacy.Hash;

        foreach (var validateOnly in new[] { true, false })
        {
            var register = async () => await Client.RegisterDatasetAsync(new RegisterDatasetRequest { Spec = spec, ValidateOnly = validateOnly });
            var refused = (await register.Should().ThrowAsync<RpcException>()).Which;
            refused.StatusCode.Should().Be(StatusCode.InvalidArgument);
            refused.Status.Detail.Should().Contain("'email'").And.Contain("not marked sensitive");
        }
    }
}
