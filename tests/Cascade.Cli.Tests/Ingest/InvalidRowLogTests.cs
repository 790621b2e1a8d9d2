using Cascade.Cli.Ingest;

namespace Cascade.Cli.Tests.Ingest;

public sealed class InvalidRowLogTests
{
    [Fact]
    public async Task The_console_shows_the_first_hundred_reports_and_the_errors_file_gets_every_one()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var file = new StringWriter();
        var console = new PlainIngestConsole(output, error, TimeSpan.FromHours(1));
        await using (var log = new InvalidRowLog("data.csv", console, file))
        {
            for (var line = 2; line < 152; line++) log.Report(new RowReport(line, "x", "bad"));
            log.Hidden("bad.txt").Should().Be("… and 50 more invalid rows (all 150 are in bad.txt)");
            log.Hidden(null).Should().Be("… and 50 more invalid rows (--errors FILE lists them all)");
        }

        error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(InvalidRowLog.ShownOnConsole).And.StartWith("data.csv:2: column x: bad");
        file.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(150).And.EndWith("data.csv:151: column x: bad");
        output.ToString().Should().BeEmpty("reports are diagnostics: standard output keeps only the summary");
    }

    [Fact]
    public async Task Plain_progress_prints_a_line_per_interval_with_the_share_done()
    {
        var error = new StringWriter();
        var console = new PlainIngestConsole(new StringWriter(), error, TimeSpan.Zero);

        await console.RunAsync("f.csv → d", total: 200, unit: "bytes", work: progress =>
        {
            progress(50, 10);
            progress(200, 40);
            return Task.CompletedTask;
        });

        error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'))
            .Should().Equal("ingesting f.csv → d", "  10 rows read (25 % of 200 bytes)", "  40 rows read (100 % of 200 bytes)");
    }
}
