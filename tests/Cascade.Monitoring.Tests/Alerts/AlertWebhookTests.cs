using System.Collections.Concurrent;
using System.Text;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.EventLog.Abstractions;
using Cascade.Monitoring.Alerts.Webhooks;
using FluentAssertions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Google.Protobuf;

namespace Cascade.Monitoring.Tests.Alerts;

/// <summary>Alerts pushed to a real HTTP receiver (Kestrel on a loopback port) that fails, recovers and checks signatures.</summary>
public sealed class AlertWebhookTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<(string Path, string Body, string? Signature, string? Timestamp, string? EventId)> _received = new();
    private int _failuresLeft;
    private WebApplication _receiver = null!;
    private string _address = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _receiver = builder.Build();
        _receiver.MapPost("/{name}", async (HttpContext context, string name) =>
        {
            if (Interlocked.Decrement(ref _failuresLeft) >= 0) return Results.StatusCode(503);
            using var reader = new StreamReader(context.Request.Body);
            _received.Enqueue(("/" + name, await reader.ReadToEndAsync(), context.Request.Headers[WebhookSignature.SignatureHeader], context.Request.Headers[WebhookSignature.TimestampHeader], context.Request.Headers[WebhookSignature.EventIdHeader]));
            return Results.Ok();
        });
        await _receiver.StartAsync();
        _address = _receiver.Urls.First();
    }

    [Fact]
    public async Task Alerts_reach_the_receivers_that_want_them_signed_and_retried_until_accepted()
    {
        _failuresLeft = 2;
        var options = new WebhookOptions
        {
            InitialBackoff = TimeSpan.FromMilliseconds(10),
            Endpoints =
            [
                new WebhookEndpoint { Url = _address + "/all", Secret = "s3cret" },
                new WebhookEndpoint { Url = _address + "/critical-churn", Secret = "other", MinSeverity = "Critical", Models = ["churn"] },
            ],
        };
        using var http = new HttpClient();
        var handler = new AlertWebhookHandler(options, http, TimeProvider.System, NullLogger<AlertWebhookHandler>.Instance);
        await handler.HandleAsync([Record(Alert("a1", "churn", Severity.Warning)), Record(Alert("a2", "churn", Severity.Critical)), Record(Alert("a3", "fraud", Severity.Info))], CancellationToken.None);

        var received = _received.ToArray();
        received.Where(r => r.Path == "/all").Select(r => r.EventId).Should().BeEquivalentTo(["a1", "a2"], "INFO is below the default WARNING; the two 503s were retried");
        received.Where(r => r.Path == "/critical-churn").Select(r => r.EventId).Should().Equal("a2");
        foreach (var delivery in received)
        {
            var secret = delivery.Path == "/all" ? "s3cret" : "other";
            WebhookSignature.Verify(secret, long.Parse(delivery.Timestamp!), Encoding.UTF8.GetBytes(delivery.Body), delivery.Signature!).Should().BeTrue();
            WebhookSignature.Verify("wrong", long.Parse(delivery.Timestamp!), Encoding.UTF8.GetBytes(delivery.Body), delivery.Signature!).Should().BeFalse();
            delivery.Body.Should().Contain("\"model\": \"churn\"");
        }
    }

    [Fact]
    public async Task A_receiver_that_never_recovers_is_given_up_after_its_attempts_without_holding_back_the_batch()
    {
        _failuresLeft = int.MaxValue;
        var options = new WebhookOptions { MaxAttempts = 3, InitialBackoff = TimeSpan.FromMilliseconds(10), Endpoints = [new WebhookEndpoint { Url = _address + "/down" }] };
        using var http = new HttpClient();
        var handler = new AlertWebhookHandler(options, http, TimeProvider.System, NullLogger<AlertWebhookHandler>.Instance);
        var delivered = await handler.DeliverAsync(options.Endpoints[0], "a1", "{}"u8.ToArray(), CancellationToken.None);
        delivered.Should().BeFalse();
        (int.MaxValue - _failuresLeft).Should().Be(3, "three attempts, then it gives up");
    }

    [Fact]
    public void A_receiver_with_a_bad_url_or_severity_is_refused_by_its_key()
    {
        var options = new WebhookOptions { Endpoints = [new WebhookEndpoint { Url = "hooks.example.com", MinSeverity = "loud" }] };
        options.Problems("Cascade:Monitoring").Should().BeEquivalentTo(
            "Cascade:Monitoring:Webhooks:Endpoints:0:Url is 'hooks.example.com': give an absolute http:// or https:// URL",
            "Cascade:Monitoring:Webhooks:Endpoints:0:MinSeverity is 'loud': use Info, Warning or Critical");
    }

    private static DriftDetected Alert(string id, string model, Severity severity) => new() { AlertId = id, Model = model, Severity = severity, Summary = "test" };

    private static ConsumedRecord Record(DriftDetected alert) =>
        new(Topics.DriftDetected, 0, 0, alert.Model, EventEnvelopes.Wrap(alert, alert.Model, "test").ToByteArray(), DateTimeOffset.UtcNow);

    public async Task DisposeAsync() => await _receiver.DisposeAsync();
}
