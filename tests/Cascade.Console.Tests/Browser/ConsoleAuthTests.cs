using Cascade.Contracts.Registry.V1;
using Cascade.Hosting.Security;
using Grpc.Core;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cascade.WebConsole.Tests.Browser;

/// <summary>
/// The console on a host with authentication on: without a key the page asks for one, a refused key says so, and the
/// actions a role may not take are disabled (a predictor may not promote, roll back or shift traffic; an operator may).
/// </summary>
public sealed class ConsoleAuthTests : IAsyncLifetime
{
    private const string Model = "console-auth";
    private readonly string _data = Directory.CreateTempSubdirectory("cascade-console-auth-").FullName;
    private InProcessHost _host = null!;
    private ConsoleBrowser _browser = null!;
    private string _predictor = null!;
    private string _operator = null!;

    public async Task InitializeAsync()
    {
        var keys = new ApiKeyStore(Path.Combine(_data, "keys.json"));
        _predictor = keys.Create("pat", CascadeRole.Predictor, []).Key;
        _operator = keys.Create("olga", CascadeRole.Operator, []).Key;
        var admin = keys.Create("ada", CascadeRole.Admin, []).Key;
        _host = await InProcessHost.StartAsync(_data, "--Cascade:Auth:Enabled=true");
        await new Contracts.Registry.V1.Registry.RegistryClient(_host.Channel).CreateModelAsync(new CreateModelRequest { Name = Model, Description = "made by the console's auth test" },
            new Metadata { { "authorization", $"Bearer {admin}" } });
        _browser = await ConsoleBrowser.LaunchAsync();
    }

    [Fact]
    public async Task Without_a_key_the_console_asks_for_one_and_a_predictor_may_not_promote()
    {
        var console = await _browser.OpenAsync(_host.Http + "/");
        var page = console.Page;
        await Expect(page.Locator("#login")).ToBeVisibleAsync();
        await Expect(page.Locator("main")).Not.ToContainTextAsync(Model);
        await console.ScreenshotAsync("console-login");

        await SignInAsync(page, "cascade_not-a-key");
        await Expect(page.Locator("#login .error")).ToContainTextAsync("refused");

        await SignInAsync(page, _predictor);
        await Expect(page.Locator("#who")).ToHaveTextAsync("pat (predictor)");
        await Expect(page.Locator("a.model-link", new() { HasText = Model })).ToBeVisibleAsync();
        await page.Locator("a.model-link", new() { HasText = Model }).ClickAsync();
        await Expect(page.Locator("#model-name")).ToHaveTextAsync(Model);
        await Expect(page.Locator("#promote")).ToBeDisabledAsync();
        await Expect(page.Locator("#rollback")).ToBeDisabledAsync();
        await Expect(page.Locator("#traffic")).ToBeDisabledAsync();
        await Expect(page.Locator("#actions")).ToContainTextAsync("your role (predictor) may not take them");

        // The same page for an operator: the role, not the page, disabled those buttons.
        await page.Locator("#signout").ClickAsync();
        await Expect(page.Locator("#login")).ToBeVisibleAsync();
        await SignInAsync(page, _operator);
        await Expect(page.Locator("#who")).ToHaveTextAsync("olga (operator)");
        await Expect(page.Locator("#rollback")).ToBeEnabledAsync();
        await Expect(page.Locator("#traffic")).ToBeEnabledAsync();
        await Expect(page.Locator("#live")).ToHaveTextAsync("● live");
        console.AssertNoErrors();
    }

    [Fact]
    public async Task The_live_stream_and_whoami_answer_by_the_callers_credentials()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_host.Http) };
        (await http.GetAsync("/console/api/alerts/stream")).StatusCode.Should().Be(System.Net.HttpStatusCode.Unauthorized);

        async Task<System.Text.Json.JsonElement> WhoAmIAsync(string? key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/console/api/whoami");
            if (key is not null) request.Headers.Authorization = new("Bearer", key);
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            return System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        }
        var anonymous = await WhoAmIAsync(null);
        anonymous.GetProperty("authEnabled").GetBoolean().Should().BeTrue();
        anonymous.GetProperty("authenticated").GetBoolean().Should().BeFalse();
        var predictor = await WhoAmIAsync(_predictor);
        predictor.GetProperty("role").GetString().Should().Be("predictor");
        predictor.GetProperty("may").GetProperty("promote").GetBoolean().Should().BeFalse();
        predictor.GetProperty("may").GetProperty("acknowledge").GetBoolean().Should().BeFalse();
        var @operator = await WhoAmIAsync(_operator);
        @operator.GetProperty("may").GetProperty("promote").GetBoolean().Should().BeTrue();
        @operator.GetProperty("may").GetProperty("cancel").GetBoolean().Should().BeTrue();

        using var stream = new HttpRequestMessage(HttpMethod.Get, "/console/api/alerts/stream");
        stream.Headers.Authorization = new("Bearer", _predictor);
        using var open = await http.SendAsync(stream, HttpCompletionOption.ResponseHeadersRead);
        open.StatusCode.Should().Be(System.Net.HttpStatusCode.OK, "any role may watch alerts");
        using var reader = new StreamReader(await open.Content.ReadAsStreamAsync());
        (await reader.ReadLineAsync()).Should().Be("event: open");
    }

    private static async Task SignInAsync(IPage page, string key)
    {
        await page.Locator("#login-token").FillAsync(key);
        await page.Locator("#login button[type=submit]").ClickAsync();
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
