using Cascade.Contracts.Events.V1;
using Cascade.Contracts.Monitoring.V1;
using Cascade.Monitoring.Alerts;
using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Grpc;
using Cascade.Monitoring.Options;
using Cascade.Monitoring.Storage;

namespace Cascade.Monitoring.Tests.Alerts;

/// <summary>ListAlerts carries who acknowledged which alert and when, read from the store (so across a restart), and nothing for the others.</summary>
public sealed class AlertAcknowledgementTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-acknowledgements-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private string DatabasePath => Path.Combine(_data, "monitoring.db");

    private static DriftDetected Alert(string id, string model = "churn") => new() { AlertId = id, Model = model, Version = 1, Severity = Severity.Warning, Summary = id };

    private static ListAlertsResponse List(MonitoringStore store, ListAlertsRequest request) =>
        new MonitoringGrpcService(store, new AlertFeed(), new ModelMonitors(new MonitoringOptions())).ListAlerts(request, null!).GetAwaiter().GetResult();

    [Fact]
    public void An_acknowledged_alert_comes_back_with_its_actor_and_time_and_an_unacknowledged_one_without()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        using (var store = new MonitoringStore(DatabasePath))
        {
            store.AddAlert(Alert("churn/v1/feature@500/warning"));
            store.AddAlert(Alert("churn/v1/prediction@500/warning"));
            store.Acknowledge("churn/v1/feature@500/warning", "ops-alice").Should().BeTrue();
        }
        var after = DateTimeOffset.UtcNow.AddSeconds(1);

        using var reopened = new MonitoringStore(DatabasePath);
        var response = List(reopened, new ListAlertsRequest { Model = "churn" });

        response.Alerts.Select(a => a.AlertId).Should().BeEquivalentTo(["churn/v1/feature@500/warning", "churn/v1/prediction@500/warning"]);
        response.Acknowledgements.Keys.Should().Equal("churn/v1/feature@500/warning");
        var acknowledgement = response.Acknowledgements["churn/v1/feature@500/warning"];
        acknowledgement.Actor.Should().Be("ops-alice");
        acknowledgement.At.ToDateTimeOffset().Should().BeOnOrAfter(before).And.BeOnOrBefore(after);
    }

    [Fact]
    public void Only_the_listed_alerts_acknowledgements_are_returned()
    {
        using var store = new MonitoringStore(DatabasePath);
        store.AddAlert(Alert("churn/a", "churn"));
        store.AddAlert(Alert("fraud/a", "fraud"));
        store.Acknowledge("churn/a", "ops-alice");
        store.Acknowledge("fraud/a", "ops-bob");

        var response = List(store, new ListAlertsRequest { Model = "fraud" });

        response.Acknowledgements.Should().ContainSingle().Which.Value.Actor.Should().Be("ops-bob");
    }
}
