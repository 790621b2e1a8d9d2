using Cascade.Cli.Commands;
using Cascade.Contracts.Registry.V1;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cascade.WebConsole.Tests.Browser;

/// <summary>
/// The console in a real browser while the demo's scenario runs in-process (records with a concept drift, a steady
/// prediction load): the first page lists the demo model, a drift alert appears on the Alerts page without a reload
/// and is acknowledged there, the model's page shows its versions and drift charts, and rolling back from it changes
/// the champion. No script error is allowed along the way.
/// </summary>
public sealed class ConsoleDemoTests : IAsyncLifetime
{
    private const string Model = "demo-model";
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-console-").FullName;
    private InProcessHost _host = null!;
    private ConsoleBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _host = await InProcessHost.StartAsync(_data);
        _browser = await ConsoleBrowser.LaunchAsync();
    }

    [Fact]
    public async Task The_console_follows_the_demo_live_acknowledges_an_alert_and_rolls_back()
    {
        // Generous limits: on a quiet machine the scenario takes under a minute; on a shared, busy one training is much slower.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        var console = await _browser.OpenAsync(_host.Http + "/");
        var page = console.Page;
        // The live connection opens before anything has happened: a quiet cluster still shows it.
        await Expect(page.Locator("#live")).ToHaveTextAsync("● live");
        await page.EvaluateAsync("window.__sameDocument = 'no reload'");

        var demo = DemoCommand.RunCascadeAsync(_host.Channel, events: 24_000, driftAt: 12_000, rate: 3_000, timeout.Token);

        // The first page lists the demo model as soon as it is registered.
        await Expect(page.Locator("a.model-link", new() { HasText = Model })).ToBeVisibleAsync(new() { Timeout = 240_000 });

        // A drift alert arrives on the Alerts page over the live stream.
        await page.Locator("nav a[data-nav=alerts]").ClickAsync();
        // The first drift alert: an estimated-performance warning may come first, caused by the same change.
        var firstAlert = page.Locator("tr.alert", new() { HasTextRegex = new System.Text.RegularExpressions.Regex("drift", System.Text.RegularExpressions.RegexOptions.IgnoreCase) }).First;
        await Expect(firstAlert).ToBeVisibleAsync(new() { Timeout = 240_000 });
        (await page.EvaluateAsync<string>("window.__sameDocument")).Should().Be("no reload", "alerts arrive over the open stream, not by reloading");
        var alertId = await firstAlert.GetAttributeAsync("data-alert");
        alertId.Should().NotBeNullOrEmpty();
        var row = page.Locator($"tr.alert[data-alert='{alertId}']");
        await Expect(row).ToContainTextAsync("drift", new() { IgnoreCase = true });
        await row.Locator("button.ack").ClickAsync();
        await Expect(row.Locator(".badge.acknowledged")).ToBeVisibleAsync();
        // Monitoring names the actor (without authentication, the one the page gives, marked unauthenticated) and the time.
        var acknowledgedByConsole = new System.Text.RegularExpressions.Regex(@"^acknowledged by console\b.* at \d");
        await Expect(row.Locator(".acknowledgement")).ToHaveTextAsync(acknowledgedByConsole);
        await Expect(row.Locator("button.ack")).ToHaveCountAsync(0);
        // A page opened afresh (a reload, without losing this one's document) learns it from the live stream's snapshot.
        var reloaded = await _browser.OpenAsync(_host.Http + "/#/alerts");
        var sameAlert = reloaded.Page.Locator($"tr.alert[data-alert='{alertId}']");
        await Expect(sameAlert.Locator(".acknowledgement")).ToHaveTextAsync(acknowledgedByConsole);
        await Expect(sameAlert.Locator("button.ack")).ToHaveCountAsync(0);
        reloaded.AssertNoErrors();

        var summary = await demo;
        ((int)summary["promotions"]!).Should().BeGreaterThanOrEqualTo(2, "the drift retrains and promotes a second version, so there is one to roll back from");

        // One click on the model's name shows its versions and drift charts.
        await page.Locator("nav a[data-nav=overview]").ClickAsync();
        await page.Locator("a.model-link", new() { HasText = Model }).ClickAsync();
        await Expect(page.Locator("#model-name")).ToHaveTextAsync(Model);
        await Expect(page.Locator("table.versions tbody tr")).Not.ToHaveCountAsync(0);
        await Expect(page.Locator("main .uplot").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.Locator("main")).ToContainTextAsync("drift", new() { IgnoreCase = true });
        // The prediction's distribution in the current window beside the reference's, then a feature's.
        var distribution = page.Locator("#distribution");
        await Expect(distribution.Locator("canvas")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(distribution.Locator(".u-legend")).ToContainTextAsync("reference");
        await Expect(distribution.Locator(".u-legend")).ToContainTextAsync("current");
        await Expect(distribution.Locator("h3")).ToContainTextAsync("prediction");
        var firstFeature = await page.Locator("#distribution-of option").Nth(1).GetAttributeAsync("value");
        await page.Locator("#distribution-of").SelectOptionAsync(firstFeature!);
        await Expect(distribution.Locator("h3")).ToContainTextAsync(firstFeature!);
        await Expect(distribution.Locator("canvas")).ToBeVisibleAsync();
        await page.Locator("h2", new() { HasText = "Distribution against the reference" }).EvaluateAsync("heading => heading.scrollIntoView({ block: 'start' })");
        await console.ScreenshotAsync("console-distribution");
        await page.EvaluateAsync("window.scrollTo(0, 0)");
        await console.ScreenshotAsync("console-model");
        await page.Locator("h2", new() { HasText = "Drift over time" }).EvaluateAsync("heading => heading.scrollIntoView({ block: 'start' })");
        await console.ScreenshotAsync("console-drift");
        await page.EvaluateAsync("window.scrollTo(0, 0)");

        // Roll back from the page: the champion it shows changes, and the registry agrees. Jobs the scenario's last records
        // triggered finish first, so no promotion races the rollback.
        var training = new Contracts.Training.V1.Training.TrainingClient(_host.Channel);
        await Eventually.WaitUntilAsync(async () => (await training.ListJobsAsync(new Contracts.Training.V1.ListJobsRequest { Model = Model })).Jobs
            .All(j => j.Status.State is not (Contracts.Training.V1.JobState.Queued or Contracts.Training.V1.JobState.Running)), "the demo's training jobs have finished", TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(250));
        var registry = new Contracts.Registry.V1.Registry.RegistryClient(_host.Channel);
        var before = (await registry.GetModelAsync(new GetModelRequest { Name = Model })).ChampionVersion;
        // The model page follows promotions as they happen (it looks every 2 s; the full reload is every 10 s).
        await Expect(page.Locator("#champion")).ToHaveTextAsync($"v{before}", new() { Timeout = 5_000 });
        await page.Locator("#rollback").ClickAsync();
        await Expect(page.Locator("#champion")).Not.ToHaveTextAsync($"v{before}", new() { Timeout = 20_000 });
        var after = (await registry.GetModelAsync(new GetModelRequest { Name = Model })).ChampionVersion;
        after.Should().NotBe(before);
        await Expect(page.Locator("#champion")).ToHaveTextAsync($"v{after}");
        await Expect(page.Locator("table.audit")).ToContainTextAsync("RolledBack");

        // A promotion made elsewhere (here through the API, as Training's gate makes them) shows on the open page within
        // seconds, not at the next full reload.
        await registry.PromoteModelVersionAsync(new PromoteModelVersionRequest { Model = Model, Version = before, Actor = "test", Reason = "back to the earlier champion", Force = true });
        await Expect(page.Locator("#champion")).ToHaveTextAsync($"v{before}", new() { Timeout = 5_000 });

        // The other pages, for the record (docs/console.md shows these pictures).
        await page.Locator("nav a[data-nav=overview]").ClickAsync();
        await Expect(page.Locator("#pipeline .stage").First).ToBeVisibleAsync();
        // The pipeline's figures, read from the host's own /metrics totals: the demo's records, their features' freshness
        // (the histogram's buckets) and its predictions.
        await Expect(page.Locator("#pipeline")).ToContainTextAsync("accepted");
        await Expect(page.Locator("#pipeline")).ToContainTextAsync("freshness p50");
        await Expect(page.Locator("#pipeline")).ToContainTextAsync(Model);
        await Expect(page.Locator("#pipeline")).Not.ToContainTextAsync("unavailable");
        await console.ScreenshotAsync("console-overview");
        await page.Locator("nav a[data-nav=alerts]").ClickAsync();
        await Expect(page.Locator("tr.alert").First).ToBeVisibleAsync();
        await console.ScreenshotAsync("console-alerts");
        await page.Locator("nav a[data-nav=jobs]").ClickAsync();
        await Expect(page.Locator("table.jobs tbody tr").First).ToBeVisibleAsync();
        await Expect(page.Locator("table.jobs")).ToContainTextAsync("rounds");
        await console.ScreenshotAsync("console-jobs");

        (await page.EvaluateAsync<string>("window.__sameDocument")).Should().Be("no reload");
        console.AssertNoErrors();
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
