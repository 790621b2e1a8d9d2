using Cascade.Bench.Drift.Generators;
using Cascade.Bench.Drift.Models;
using Cascade.Bench.Drift.Report;
using Cascade.Bench.Drift.Streams;

namespace Cascade.DriftBench.Tests.Generators;

/// <summary>The covariate-shift stream moves its inputs and keeps P(y | x); the estimation report shows both shifts.</summary>
public class LogisticCovariateShiftTests
{
    [Fact]
    public void Every_segment_labels_by_the_same_logistic_relation_while_the_inputs_move()
    {
        var spec = new StreamSpec("covariate", _ => new LogisticCovariateShift(), DriftSchedule.Every(100_000, 20_000, 0));
        var stream = LabelledStream.Generate(spec, 5);

        for (var segment = 0; segment < 5; segment++)
        {
            var rows = Enumerable.Range(segment * 20_000, 20_000).ToArray();
            // The realised rate of class 1 equals the mean of σ(2(x1 − x2)) over the segment's inputs: the relation holds.
            var expected = rows.Average(t => 1 / (1 + Math.Exp(-2.0 * (stream.Row(t)[0] - stream.Row(t)[1]))));
            rows.Average(t => (double)stream.Label(t)).Should().BeApproximately(expected, 0.015, $"segment {segment}");
        }
        var centres = Enumerable.Range(0, 5).Select(s => Enumerable.Range(s * 20_000, 20_000).Average(t => (double)stream.Row(t)[0])).ToArray();
        centres[2].Should().BeApproximately(1, 0.02);
        centres[3].Should().BeApproximately(-0.6, 0.02);
    }

    [Fact]
    public void The_estimation_report_tracks_covariate_shift_and_stays_flat_under_concept_shift()
    {
        var output = new StringWriter();

        PerformanceEstimationReport.Print(output, ModelKind.NaiveBayes);

        var rows = output.ToString().Split('\n').Where(l => l.StartsWith("| Logistic", StringComparison.Ordinal) || l.StartsWith("| SEA", StringComparison.Ordinal))
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries)).ToArray();
        rows.Should().HaveCount(10, "five segments of each stream");
        double Realised(string[] row) => double.Parse(row[6], System.Globalization.CultureInfo.InvariantCulture);
        double Estimated(string[] row) => double.Parse(row[7], System.Globalization.CultureInfo.InvariantCulture);
        var covariate = rows.Where(r => r[2] == "covariate").ToArray();
        var concept = rows.Where(r => r[2] == "concept").ToArray();
        // Under covariate shift the estimate moves with the realised accuracy from segment to segment.
        for (var s = 1; s < covariate.Length; s++)
        {
            var realisedMove = Realised(covariate[s]) - Realised(covariate[s - 1]);
            var estimatedMove = Estimated(covariate[s]) - Estimated(covariate[s - 1]);
            Math.Sign(estimatedMove).Should().Be(Math.Sign(realisedMove), $"segment {s}");
        }
        // Under concept shift the inputs, hence the estimate, do not move while the realised accuracy does.
        (concept.Max(Estimated) - concept.Min(Estimated)).Should().BeLessThan(0.01);
        (concept.Max(Realised) - concept.Min(Realised)).Should().BeGreaterThan(0.05);
    }
}
