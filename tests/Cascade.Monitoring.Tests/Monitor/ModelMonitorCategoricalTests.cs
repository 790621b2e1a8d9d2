using Cascade.Ml.Artifacts;
using Cascade.Ml.Evaluation.Categorical;
using Cascade.Monitoring.Alerts;
using Cascade.Monitoring.Domain;
using Cascade.Monitoring.Domain.Alerts;
using Cascade.Monitoring.Options;
using Cascade.Monitoring.Tests.Fixtures;

namespace Cascade.Monitoring.Tests.Monitor;

/// <summary>
/// A model with categorical columns (a one-hot <c>city</c> and an ordinal <c>size</c>) beside a numeric feature: the
/// columns are judged on their categories, as wholes, and an alert names the column and the categories that moved.
/// </summary>
public class ModelMonitorCategoricalTests
{
    internal const string Model = "shop";
    internal static readonly CategoricalColumn City = CategoricalColumn.Create("city", CategoricalEncoding.OneHot, ["paris", "lyon", "nice"]);
    private static readonly CategoricalColumn Size = CategoricalColumn.Create("size", CategoricalEncoding.Ordinal, ["S", "M", "L"]);
    private static readonly string[] Names = ["amount", .. City.FeatureNames, .. Size.FeatureNames];

    /// <summary>Category frequencies of a traffic scenario (null = missing for city; "XL" = a size outside the vocabulary).</summary>
    internal sealed record Mix((string? City, double Weight)[] Cities, (string Size, double Weight)[] Sizes);

    internal static readonly Mix Training = new([("paris", 0.5), ("lyon", 0.3), ("nice", 0.15), (null, 0.05)], [("S", 0.3), ("M", 0.5), ("L", 0.2)]);

    internal static float[] Row(Draw draw, Mix mix)
    {
        var row = new float[Names.Length];
        row[0] = (float)draw.Normal(50, 10);
        City.Encode<float>(Pick(draw, mix.Cities), row.AsSpan(1, City.Width));
        Size.Encode<float>(Pick(draw, mix.Sizes), row.AsSpan(1 + City.Width, 1));
        return row;
    }

    private static T Pick<T>(Draw draw, (T Value, double Weight)[] choices)
    {
        var u = draw.Uniform() * choices.Sum(c => c.Weight);
        foreach (var (value, weight) in choices)
        {
            if ((u -= weight) < 0) return value;
        }
        return choices[^1].Value;
    }

    /// <summary>The reference profile training writes, from 10,000 rows of the training mix (categories counted back from the encoded features).</summary>
    internal static ReferenceProfile Profile()
    {
        var draw = new Draw(7);
        var rows = Enumerable.Range(0, 10_000).Select(_ => Row(draw, Training)).ToArray();
        var columns = Enumerable.Range(0, Names.Length).Select(c => (IReadOnlyList<float>)rows.Select(r => r[c]).ToArray()).ToArray();
        var table = new Cascade.Ml.Data.TabularData(rows.SelectMany(r => r).ToArray(), rows.Length, Names);
        return new ReferenceProfile
        {
            Features = Names.Select((name, c) => Profiler.Profile(name, columns[c])).ToArray(),
            Prediction = Profiler.Profile("prediction", Enumerable.Range(0, 10_000).Select(_ => (float)draw.Uniform()).ToArray()),
            Categorical = [ReferenceProfiler.Categories(table, City), ReferenceProfiler.Categories(table, Size)],
        };
    }

    private static (ModelMonitor Monitor, Func<int, Mix, List<DriftAlert>> Send) Start(int seed)
    {
        var monitor = new ModelMonitor(Model, new MonitoringOptions());
        monitor.Activate(1, Profile(), ModelTask.BinaryClassification);
        var draw = new Draw(seed);
        long next = 0;
        List<DriftAlert> Send(int count, Mix mix)
        {
            var alerts = new List<DriftAlert>();
            for (var k = 0; k < count; k++, next++)
            {
                var time = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(next);
                alerts.AddRange(monitor.Observe(new PredictionRecord($"p{next}", Model, 1, $"e{next % 50}", time, next, Row(draw, mix), new[] { (float)draw.Uniform() })));
            }
            return alerts;
        }
        return (monitor, Send);
    }

    [Fact]
    public void The_reference_profile_counts_each_category_and_missing_or_unseen_values_together()
    {
        var profile = Profile();

        var city = profile.Categorical![0];
        city.Encoding.Column.Should().Be("city");
        (city.Counts.Sum() + city.MissingCount).Should().Be(10_000);
        city.Counts[0].Should().BeInRange(4_800, 5_200, "about half the rows are paris");
        city.MissingCount.Should().BeInRange(400, 600, "5% have no city");
        profile.Categorical[1].MissingCount.Should().Be(0);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void The_same_category_frequencies_raise_no_alert_and_each_column_is_judged_as_a_whole(int seed)
    {
        var (monitor, send) = Start(seed);

        send(5_000, Training).Should().BeEmpty();

        var health = monitor.Health();
        health.Counters.Evaluations.Should().BeGreaterThan(40);
        health.Features.Select(f => f.Feature).Should().BeEquivalentTo(["amount", "city", "size"], "one-hot parts and ordinal codes are not features of their own");
        var city = health.Features.Single(f => f.Feature == "city");
        city.IsCategorical.Should().BeTrue();
        city.ChiSquaredPValue.Should().BeGreaterThan(1e-6);
        city.JensenShannon.Should().BeLessThan(0.15);
        double.IsNaN(city.Psi).Should().BeTrue("categories are not binned like numbers");
        city.Severity.Should().Be(AlertSeverity.None);
    }

    [Theory]
    [InlineData(13)]
    [InlineData(14)]
    public void A_shift_in_category_frequencies_alerts_naming_the_column_and_the_categories_that_moved(int seed)
    {
        var (_, send) = Start(seed);
        send(2_000, Training).Should().BeEmpty();

        // Lyon overtakes Paris; sizes unchanged.
        var alerts = send(1_000, Training with { Cities = [("paris", 0.2), ("lyon", 0.6), ("nice", 0.15), (null, 0.05)] });

        // An INFO when the first statistic crosses its threshold, then the escalation as the window fills with the shift.
        var alert = alerts.Where(a => a.Kind == DriftKind.FeatureDrift).MaxBy(a => a.Severity)!;
        alert.Severity.Should().BeOneOf(AlertSeverity.Warning, AlertSeverity.Critical);
        alert.TopFeatures[0].Feature.Should().Be("city");
        alert.TopFeatures.Should().NotContain(f => f.Feature.StartsWith("city=") || f.Feature == "size" || f.Feature == "amount", "only the city moved, and it is named as a column");
        alert.TopFeatures[0].Categories.Take(2).Select(c => c.Category).Should().BeEquivalentTo(["paris", "lyon"]);
        alert.Evidence.Statistic.Should().BeOneOf("chi_squared_p_value", "jensen_shannon");
        alert.Summary.Should().Contain("strongest: city").And.Contain("moved most: ").And.Contain("paris 50");
        var score = AlertMapping.ToEvent(alert).TopFeatures[0];
        score.Feature.Should().Be("city");
        score.ChiSquaredPValue.Should().BeLessThan(1e-6);
        score.Categories.Should().Contain(c => c.Category == "lyon" && c.WindowShare > c.ReferenceShare);
    }

    [Fact]
    public void Values_outside_the_vocabulary_move_the_missing_or_unseen_category()
    {
        var (_, send) = Start(15);
        send(1_000, Training).Should().BeEmpty();

        var alerts = send(1_000, Training with { Sizes = [("S", 0.2), ("M", 0.3), ("XL", 0.5)] });

        var alert = alerts.Where(a => a.Kind == DriftKind.FeatureDrift).MaxBy(a => a.Severity)!;
        alert.Severity.Should().BeOneOf(AlertSeverity.Warning, AlertSeverity.Critical);
        var size = alert.TopFeatures.Should().Contain(f => f.Feature == "size").Which;
        size.Categories[0].Category.Should().Be(CategoricalColumn.MissingCategory);
        size.Categories[0].ReferenceShare.Should().Be(0);
        size.MissingRate.Should().BeGreaterThan(0.15, "half the new records are XL, which the vocabulary lacks");
    }
}
