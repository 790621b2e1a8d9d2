using Cascade.WebConsole.Assets;

namespace Cascade.WebConsole.Tests.Assets;

public sealed class ConsoleAssetsTests
{
    private readonly ConsoleAssets _assets = ConsoleAssets.Load();

    [Fact]
    public void The_page_links_its_script_and_style_sheet_by_their_hash()
    {
        var page = System.Text.Encoding.UTF8.GetString(_assets.Page.Content);
        page.Should().Contain($"\"/console/app.js?v={_assets.Find("app.js")!.Hash}\"");
        page.Should().Contain($"\"/console/app.css?v={_assets.Find("app.css")!.Hash}\"");
        page.Should().NotContain("http://").And.NotContain("https://", "the page works offline: nothing comes from another origin");
    }

    [Theory]
    [InlineData("index.html", "text/html; charset=utf-8")]
    [InlineData("app.js", "text/javascript; charset=utf-8")]
    [InlineData("app.css", "text/css; charset=utf-8")]
    public void Each_file_has_its_content_type(string path, string type) => _assets.Find(path)!.ContentType.Should().Be(type);

    [Fact]
    public void The_bundle_loads_nothing_from_a_CDN()
    {
        var script = System.Text.Encoding.UTF8.GetString(_assets.Find("app.js")!.Content);
        script.Should().NotContainAny("cdn.", "unpkg.com", "jsdelivr", "googleapis");
    }
}
