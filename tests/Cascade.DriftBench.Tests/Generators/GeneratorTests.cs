using Cascade.Bench.Drift.Generators;
using Cascade.Bench.Drift.Streams;

namespace Cascade.DriftBench.Tests.Generators;

public class GeneratorTests
{
    private static StreamSpec Spec(string name, int length, int width) =>
        new(name, StreamCatalog.Generators.Single(g => g.Name == name).Create, DriftSchedule.Every(length, length / 2, width));

    public static TheoryData<string> Names() => new(StreamCatalog.Generators.Select(g => g.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public void The_same_seed_draws_the_same_stream_and_another_seed_another(string name)
    {
        var spec = Spec(name, 2_000, 0);

        var first = LabelledStream.Generate(spec, 7);
        var again = LabelledStream.Generate(spec, 7);
        var other = LabelledStream.Generate(spec, 8);

        bool Same(LabelledStream a, LabelledStream b, int t) => a.Row(t).SequenceEqual(b.Row(t)) && a.Label(t) == b.Label(t);
        Enumerable.Range(0, first.Length).Count(t => !Same(first, again, t)).Should().Be(0);
        Enumerable.Range(0, first.Length).Count(t => !Same(first, other, t)).Should().BeGreaterThan(1_900);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Values_respect_the_schema(string name)
    {
        var stream = LabelledStream.Generate(Spec(name, 5_000, 0), 3);

        for (var t = 0; t < stream.Length; t++)
        {
            stream.Label(t).Should().BeInRange(0, stream.Schema.Classes - 1);
            var row = stream.Row(t);
            for (var f = 0; f < row.Length; f++)
            {
                var feature = stream.Schema.Features[f];
                float.IsFinite(row[f]).Should().BeTrue();
                if (feature.Kind != FeatureKind.Numeric) row[f].Should().BeOneOf(Enumerable.Range(0, feature.Cardinality).Select(v => (float)v));
            }
        }
    }

    [Fact]
    public void SEA_labels_follow_the_threshold_of_the_segment_up_to_ten_percent_noise()
    {
        // One abrupt drift at 10,000: θ = 8 before, θ = 9 after.
        var stream = LabelledStream.Generate(Spec("SEA", 20_000, 0), 1);

        double Agreement(int from, int to, double theta) =>
            Enumerable.Range(from, to - from).Average(t => Sea.Concept(stream.Row(t)[0], stream.Row(t)[1], theta) == stream.Label(t) ? 1.0 : 0.0);

        Agreement(0, 10_000, 8).Should().BeApproximately(0.9, 0.01);
        Agreement(10_000, 20_000, 9).Should().BeApproximately(0.9, 0.01);
        // Instances with 8 < f1 + f2 ≤ 9 change class at the drift: the old concept now explains fewer labels.
        Agreement(10_000, 20_000, 8).Should().BeLessThan(0.85);
    }

    [Fact]
    public void Sine1_reverses_its_classes_at_the_drift()
    {
        var stream = LabelledStream.Generate(Spec("Sine1", 20_000, 0), 2);

        double Agreement(int from, int to, int segment) =>
            Enumerable.Range(from, to - from).Average(t => Sine1.Concept(stream.Row(t)[0], stream.Row(t)[1], segment) == stream.Label(t) ? 1.0 : 0.0);

        Agreement(0, 10_000, 0).Should().BeApproximately(0.9, 0.01);
        Agreement(10_000, 20_000, 0).Should().BeApproximately(0.1, 0.01);
    }

    [Fact]
    public void A_gradual_drift_mixes_the_concepts_along_a_sigmoid_of_the_given_width()
    {
        var schedule = DriftSchedule.Every(20_000, 10_000, 1_000);
        var random = new StreamRandom(5);
        double NewShare(int at) => Enumerable.Range(0, 4_000).Average(_ => schedule.SegmentAt(at, random));

        schedule.SegmentAt(0, random).Should().Be(0);
        NewShare(10_000 - 500).Should().BeApproximately(0.119, 0.02); // 1 / (1 + e²)
        NewShare(10_000).Should().BeApproximately(0.5, 0.03);
        NewShare(10_000 + 500).Should().BeApproximately(0.881, 0.02);
        schedule.SegmentAt(19_999, random).Should().Be(1);
        (schedule.Start(0), schedule.End(0)).Should().Be((9_500, 10_500));
    }

    [Fact]
    public void STAGGER_concepts_are_the_published_ones()
    {
        // size, colour, shape as indices: small/red/circle are 0.
        Stagger.Concept(0, 0, 2, concept: 0).Should().Be(1);
        Stagger.Concept(1, 0, 2, concept: 0).Should().Be(0);
        Stagger.Concept(2, 1, 2, concept: 1).Should().Be(1);
        Stagger.Concept(2, 2, 0, concept: 1).Should().Be(1);
        Stagger.Concept(0, 2, 1, concept: 1).Should().Be(0);
        Stagger.Concept(1, 2, 1, concept: 2).Should().Be(1);
        Stagger.Concept(0, 1, 0, concept: 2).Should().Be(0);
    }

    [Fact]
    public void Agrawal_functions_match_the_papers_examples()
    {
        var applicant = new AgrawalApplicant(Salary: 60_000, Commission: 20_000, Age: 45, Elevel: 2, Car: 3, Zipcode: 4, Hvalue: 500_000, Hyears: 25, Loan: 250_000);

        AgrawalFunctions.Classify(1, applicant).Should().Be(1, "40 ≤ age < 60 is group B");
        AgrawalFunctions.Classify(1, applicant with { Age = 30 }).Should().Be(0);
        AgrawalFunctions.Classify(2, applicant).Should().Be(1, "at 45 group A needs a salary in [75k, 125k]");
        AgrawalFunctions.Classify(2, applicant with { Salary = 80_000 }).Should().Be(0);
        AgrawalFunctions.Classify(3, applicant).Should().Be(0, "at 45 education levels 1–3 are group A");
        // Function 7: 2/3·(60k + 20k) − 250k/5 − 20k = 53,333 − 50,000 − 20,000 < 0 → group B.
        AgrawalFunctions.Classify(7, applicant).Should().Be(1);
        AgrawalFunctions.Classify(7, applicant with { Loan = 50_000 }).Should().Be(0);
        // Function 10: equity = 500k·(25 − 20)/10 = 250k; 53,333 − 10,000 + 50,000 − 10,000 > 0 → group A.
        AgrawalFunctions.Classify(10, applicant).Should().Be(0);
    }

    [Fact]
    public void Agrawal_changes_function_at_the_drift()
    {
        var stream = LabelledStream.Generate(Spec("Agrawal", 20_000, 0), 4);

        // Age is the third attribute; function 1 labels by age alone (the perturbation moves ages by up to ±3 years).
        double Function1(int from, int to) => Enumerable.Range(from, to - from)
            .Where(t => stream.Row(t)[2] is < 37 or (> 43 and < 57) or > 63)
            .Average(t => (stream.Row(t)[2] < 40 || stream.Row(t)[2] >= 60 ? 0 : 1) == stream.Label(t) ? 1.0 : 0.0);

        Function1(0, 10_000).Should().Be(1.0);
        Function1(10_000, 20_000).Should().BeLessThan(0.8);
    }

    [Fact]
    public void The_hyperplane_rotates_by_45_degrees_at_each_drift()
    {
        var generator = new RotatingHyperplane(11);

        for (var segment = 1; segment <= 4; segment++)
        {
            var (before, after) = (generator.Normal(segment - 1), generator.Normal(segment));
            var cos = Dot(before, after) / Math.Sqrt(Dot(before, before) * Dot(after, after));
            cos.Should().BeApproximately(Math.Cos(Math.PI / 4), 1e-9);
        }
    }

    [Fact]
    public void The_hyperplane_relabels_about_a_quarter_of_the_cube_at_a_drift()
    {
        var generator = new RotatingHyperplane(12);
        var random = new StreamRandom(13);
        var x = new float[RotatingHyperplane.Dimensions];
        var changed = 0;
        for (var i = 0; i < 20_000; i++)
        {
            for (var d = 0; d < x.Length; d++) x[d] = (float)random.NextDouble();
            if (RotatingHyperplane.Concept(x, generator.Normal(0)) != RotatingHyperplane.Concept(x, generator.Normal(1))) changed++;
        }
        (changed / 20_000.0).Should().BeInRange(0.18, 0.32);
    }

    [Fact]
    public void LED_swaps_relevant_attributes_with_irrelevant_ones()
    {
        Led.Positions(1).Take(8).Should().Equal(7, 1, 2, 3, 4, 5, 6, 0);
        Led.Positions(3)[..3].Should().Equal(7, 8, 9);
        Led.Positions(3)[7..10].Should().Equal(0, 1, 2);

        // Segment 0 (the top bar) is lit for 8 digits of 10: 74% with 10% noise; an irrelevant attribute is lit half the time.
        var stream = LabelledStream.Generate(Spec("LED", 40_000, 0), 6);
        double Lit(int attribute, int from, int to) => Enumerable.Range(from, to - from).Average(t => (double)stream.Row(t)[attribute]);
        Lit(7, 0, 20_000).Should().BeApproximately(0.74, 0.015, "segment 0 sits at attribute 8 when one attribute is swapped");
        Lit(0, 0, 20_000).Should().BeApproximately(0.5, 0.015);
        Lit(8, 20_000, 40_000).Should().BeApproximately(Lit(8, 0, 20_000) + 0.08, 0.03, "segment 1 (lit for 6 digits of 10: 58%) moves in with 3 swapped");
    }

    private static double Dot(IReadOnlyList<double> a, IReadOnlyList<double> b) => a.Zip(b, (x, y) => x * y).Sum();
}
