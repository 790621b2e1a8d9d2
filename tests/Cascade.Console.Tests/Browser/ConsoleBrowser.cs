using Microsoft.Playwright;

namespace Cascade.WebConsole.Tests.Browser;

/// <summary>
/// Debian's chromium (<c>/usr/bin/chromium</c>, which test.sh installs) driven by Playwright, headless and without the
/// sandbox (tests run as root). Every page it opens records script errors: uncaught exceptions, <c>console.error</c>
/// calls, and server errors (5xx) on the calls the page makes; <see cref="ConsolePage.AssertNoErrors"/> fails on any.
/// </summary>
internal sealed class ConsoleBrowser : IAsyncDisposable
{
    public const string Chromium = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private ConsoleBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    public static async Task<ConsoleBrowser> LaunchAsync()
    {
        if (!File.Exists(Chromium)) throw new InvalidOperationException($"{Chromium} is missing: install Debian's chromium (apt-get install -y chromium; test.sh does).");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        return new ConsoleBrowser(playwright, browser);
    }

    /// <summary>Opens <paramref name="url"/> in a fresh context (its own sessionStorage) on a laptop-sized screen.</summary>
    public async Task<ConsolePage> OpenAsync(string url)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 }, ColorScheme = ColorScheme.Dark });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        var console = new ConsolePage(page);
        await page.GotoAsync(url);
        return console;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}

/// <summary>One open page and the errors it raised.</summary>
internal sealed class ConsolePage
{
    private readonly List<string> _errors = [];

    public ConsolePage(IPage page)
    {
        Page = page;
        page.PageError += (_, error) => Record($"page error: {error}");
        page.Console += (_, message) =>
        {
            // A failed fetch is reported by the browser as a console error too; those are judged by their status below
            // (a 404 for a model not monitored yet is an answer the page shows, not a script error).
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal)) Record($"console error: {message.Text}");
        };
        page.Response += (_, response) =>
        {
            // GetDriftHistory answers UNIMPLEMENTED (501) until Monitoring implements it; the page says so and goes on.
            if (response.Status >= 500 && !(response.Status == 501 && response.Url.Contains("/drift-history", StringComparison.Ordinal)))
            {
                Record($"server error {response.Status} on {response.Request.Method} {response.Url}");
            }
        };
    }

    public IPage Page { get; }

    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors) return _errors.ToArray();
        }
    }

    public void AssertNoErrors() => Errors.Should().BeEmpty("the console must raise no script error");

    /// <summary>Saves what the page shows to <c>$CASCADE_CONSOLE_SCREENSHOTS/NAME.png</c> (docs/images when making the docs' pictures), else to the test output.</summary>
    public async Task ScreenshotAsync(string name)
    {
        var directory = Environment.GetEnvironmentVariable("CASCADE_CONSOLE_SCREENSHOTS") is { Length: > 0 } chosen
            ? chosen
            : System.IO.Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = System.IO.Path.Combine(directory, name + ".png") });
    }

    private void Record(string error)
    {
        lock (_errors) _errors.Add(error);
    }
}
