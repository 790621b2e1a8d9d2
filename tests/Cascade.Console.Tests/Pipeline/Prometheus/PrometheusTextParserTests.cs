using Cascade.WebConsole.Pipeline.Prometheus;

namespace Cascade.WebConsole.Tests.Pipeline.Prometheus;

/// <summary>The text exposition format (0.0.4) as OpenTelemetry's exporter writes it, and what breaks it.</summary>
public sealed class PrometheusTextParserTests
{
    [Fact]
    public void Counters_gauges_and_histograms_are_read_with_their_labels_and_values()
    {
        const string text = """
            # HELP cascade_ingestion_records_total Records Ingestion answered for, by dataset and outcome.
            # TYPE cascade_ingestion_records_total counter
            cascade_ingestion_records_total{dataset="sensors",outcome="accepted"} 2400 1733486400000
            # TYPE cascade_eventlog_consumer_lag gauge
            cascade_eventlog_consumer_lag{group="features",topic="cascade.data.sensors.v1",partition="3"} 17
            # TYPE cascade_features_freshness_milliseconds histogram
            cascade_features_freshness_milliseconds_bucket{view="sensor-stats",le="5"} 3
            cascade_features_freshness_milliseconds_bucket{view="sensor-stats",le="+Inf"} 4
            cascade_features_freshness_milliseconds_sum{view="sensor-stats"} 12.5
            cascade_features_freshness_milliseconds_count{view="sensor-stats"} 4
            # a plain comment, then a blank line

            target_info{service_name="unknown_service:dotnet"} 1
            """;

        var samples = PrometheusTextParser.Parse(text);

        samples.Select(s => s.Name).Should().Equal(
            "cascade_ingestion_records_total", "cascade_eventlog_consumer_lag", "cascade_features_freshness_milliseconds_bucket",
            "cascade_features_freshness_milliseconds_bucket", "cascade_features_freshness_milliseconds_sum", "cascade_features_freshness_milliseconds_count", "target_info");
        samples[0].Value.Should().Be(2400);
        samples[0].Label("outcome").Should().Be("accepted");
        samples[1].Labels.Select(l => l.Key).Should().Equal("group", "topic", "partition");
        samples[3].Label("le").Should().Be("+Inf");
        samples[4].Value.Should().Be(12.5);
        samples[0].Label("missing").Should().BeEmpty();
    }

    [Theory]
    [InlineData("x +Inf", double.PositiveInfinity)]
    [InlineData("x -Inf", double.NegativeInfinity)]
    [InlineData("x 1.5e3", 1500)]
    [InlineData("x -0.25", -0.25)]
    [InlineData("x{} 7", 7)]
    [InlineData("x{a=\"1\",} 8", 8)]
    [InlineData("  x_y:z 9  ", 9)]
    public void Values_are_read_as_Go_writes_them(string line, double value) =>
        PrometheusTextParser.Parse(line).Single().Value.Should().Be(value);

    [Fact]
    public void NaN_is_a_value() => double.IsNaN(PrometheusTextParser.Parse("x NaN").Single().Value).Should().BeTrue();

    [Fact]
    public void Label_values_are_unescaped()
    {
        var sample = PrometheusTextParser.Parse("x{path=\"C:\\\\data\",quote=\"say \\\"hi\\\"\",lines=\"a\\nb\",brace=\"}{,=\"} 1").Single();
        sample.Label("path").Should().Be("C:\\data");
        sample.Label("quote").Should().Be("say \"hi\"");
        sample.Label("lines").Should().Be("a\nb");
        sample.Label("brace").Should().Be("}{,=");
    }

    [Theory]
    [InlineData("x", "no value")]
    [InlineData("x one", "is not a sample value")]
    [InlineData("x 1 2 3", "more than a value and a timestamp")]
    [InlineData("x 1 soon", "is not a timestamp")]
    [InlineData("1x 1", "no valid metric name")]
    [InlineData("x{a=\"1\" 1", "not closed with '}'")]
    [InlineData("x{a=\"1} 1", "is not closed")]
    [InlineData("x{a=1} 1", "is not quoted")]
    [InlineData("x{a=\"\\t\"} 1", "unknown escape")]
    [InlineData("x{a=\"1\",a=\"2\"} 1", "label a is given twice")]
    [InlineData("x{1a=\"1\"} 1", "a label has no valid name")]
    [InlineData("x{a:b=\"1\"} 1", "has no '='")]
    [InlineData("# TYPE x countr", "is not a metric type")]
    [InlineData("# TYPE x counter\n# TYPE x gauge", "second TYPE line")]
    [InlineData("x_bucket{le=\"1\"} 1\n# TYPE x histogram", "comes after its samples")]
    [InlineData("# HELP", "names no valid metric")]
    [InlineData("x{a=\"1\"} 1\nx{a=\"1\"} 2", "written twice")]
    public void Text_outside_the_format_is_refused_naming_the_line(string text, string problem) =>
        FluentActions.Invoking(() => PrometheusTextParser.Parse(text)).Should().Throw<FormatException>().WithMessage($"line *{problem}*");

    [Fact]
    public void The_failure_names_the_line_number()
    {
        var parse = () => PrometheusTextParser.Parse("a 1\nb 2\nc\n");
        parse.Should().Throw<FormatException>().WithMessage("line 3: no value: c");
    }

    [Fact]
    public void The_same_series_with_its_labels_in_another_order_is_the_same_series() =>
        FluentActions.Invoking(() => PrometheusTextParser.Parse("x{a=\"1\",b=\"2\"} 1\nx{b=\"2\",a=\"1\"} 1")).Should().Throw<FormatException>().WithMessage("*written twice*");
}
