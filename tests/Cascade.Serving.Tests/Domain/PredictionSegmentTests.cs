using Cascade.Contracts.Common.V1;
using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Ml.Artifacts;
using Cascade.Serving.Domain;
using Cascade.Serving.Privacy;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using CategoricalColumn = Cascade.Ml.Evaluation.Categorical.CategoricalColumn;
using CategoricalEncoding = Cascade.Ml.Evaluation.Categorical.CategoricalEncoding;

namespace Cascade.Serving.Tests.Domain;

/// <summary>
/// A prediction's segment (its version's training-policy segment column): read from the inputs when the column is one,
/// else taken from the request; written as <c>PredictionLogged.segment</c> byte for byte as Google.Protobuf writes it,
/// as the keyed hash for a sensitive column and not at all for a dropped (or not yet known) one.
/// </summary>
public sealed class PredictionSegmentTests
{
    private static readonly DateTime Answered = new(2026, 12, 6, 9, 30, 15, DateTimeKind.Utc);
    private static readonly PrivacyHasher Hasher = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    private static ModelManifest Manifest(ModelSegment? segment, string[]? features = null, IReadOnlyList<CategoricalColumn>? categorical = null) => new()
    {
        Objective = "binary:logistic", NumClass = 0, OutputsPerRow = 1, FeatureNames = features ?? ["amount", "age"], FeatureTypes = (features ?? ["amount", "age"]).Select(_ => "float32").ToArray(),
        Parameters = new Dictionary<string, string>(), Rounds = 1, TrainingRows = 1, LabelSummary = new Dictionary<string, double>(),
        Metrics = new Dictionary<string, IReadOnlyDictionary<string, double>>(), CreatedAt = DateTimeOffset.UnixEpoch, XGBoostVersion = "1.7.4", Files = new Dictionary<string, string>(),
        Categorical = categorical, Monitoring = segment is null ? null : new ModelMonitoring { Segment = segment },
    };

    private static ModelSegment Categorical(string column) => new() { Column = column, Kind = ModelSegment.Categorical };

    private static ModelSegment Numeric(string column, params double[] bins) => new() { Column = column, Kind = ModelSegment.Numeric, Bins = bins };

    private static byte[] Expected(PredictionLogged logged)
    {
        var envelope = EventEnvelopes.Wrap(logged, logged.Model, "cascade-serving", eventId: logged.PredictionId, traceparent: string.Empty);
        envelope.OccurredAt = Timestamp.FromDateTime(Answered);
        return envelope.ToByteArray();
    }

    private static PredictionLogged Logged(string segment) => new()
    {
        PredictionId = "p1", RequestId = "r1", Model = "m", Version = 2, EntityId = "alice", Features = { 12.5f, 37f }, Outputs = { 0.7f }, LatencyMicros = 5,
        Time = Timestamp.FromDateTime(Answered), Segment = segment,
    };

    [Fact]
    public void A_version_without_a_segment_column_has_no_segment_source()
    {
        SegmentSource.For(Manifest(null)).Should().BeNull("its predictions must pay nothing for segments");
    }

    [Fact]
    public void A_column_that_is_no_input_takes_the_requests_value_as_it_is_or_its_bin()
    {
        var region = SegmentSource.For(Manifest(Categorical("region")))!;
        region.IsInput.Should().BeFalse();
        region.LabelOf([1f, 2f], "north").Should().Be("north");
        region.LabelOf([1f, 2f], null).Should().BeNull("the request gave no value: the prediction is unsegmented");
        region.LabelOf([1f, 2f], "").Should().BeNull();

        var income = SegmentSource.For(Manifest(Numeric("income", 30_000, 60_000)))!;
        income.LabelOf([1f, 2f], "45000").Should().Be("[30000, 60000)");
        income.LabelOf([1f, 2f], "1e5").Should().Be("≥ 60000");
        income.LabelOf([1f, 2f], "NaN").Should().Be("(missing)");
    }

    [Fact]
    public void A_value_the_column_cannot_take_is_refused_saying_what_to_send()
    {
        var income = SegmentSource.For(Manifest(Numeric("income", 30_000)))!;
        var notANumber = () => income.LabelOf([1f, 2f], "high");
        notANumber.Should().Throw<ArgumentException>().WithMessage("*'high' is not a number*'income' is numeric*");

        var region = SegmentSource.For(Manifest(Categorical("region")))!;
        var tooLong = () => region.LabelOf([1f, 2f], new string('x', ModelSegment.MaxLabelLength + 1));
        tooLong.Should().Throw<ArgumentException>().WithMessage("*257 characters*at most 256*");
    }

    [Fact]
    public void An_input_column_is_read_from_the_features_and_a_requests_value_is_ignored()
    {
        var age = SegmentSource.For(Manifest(Numeric("age", 30, 50)))!;
        age.IsInput.Should().BeTrue();
        age.LabelOf([1f, 42f], "99").Should().Be("[30, 50)");
        age.LabelOf([1f, float.NaN], null).Should().Be("(missing)");

        var postcode = CategoricalColumn.Create("postcode", CategoricalEncoding.OneHot, ["75001", "69001", "13001"]);
        var encoded = SegmentSource.For(Manifest(Categorical("postcode"), ["amount", .. postcode.FeatureNames], [postcode]))!;
        encoded.LabelOf([5f, 0f, 1f, 0f], "75001").Should().Be("69001");
        encoded.LabelOf([5f, float.NaN, float.NaN, float.NaN], null).Should().Be("(missing)", "a missing or unseen value is a group of its own");
    }

    [Fact]
    public void The_segment_is_written_byte_for_byte_as_google_writes_it()
    {
        var prediction = new LoggedPrediction("p1", "r1", "m", 2, "alice", [12.5f, 37f], [0.7f], 5, Answered, PredictionRole.Champion, LogPrivacy.None, "north");

        var written = PredictionEnvelope.Write(prediction);

        written.Should().Equal(Expected(Logged("north")));
        EventEnvelopes.Unwrap(EventEnvelope.Parser.ParseFrom(written), PredictionLogged.Parser).Segment.Should().Be("north");
    }

    [Fact]
    public void A_sensitive_columns_segment_is_its_keyed_hash_and_a_dropped_ones_is_left_out()
    {
        var hashed = new LogPrivacy([], 2, Hasher) { SegmentTreatment = FeatureTreatment.Hash, SegmentColumn = "gender" };
        var dropped = new LogPrivacy([], 2, Hasher) { SegmentTreatment = FeatureTreatment.Drop, SegmentColumn = "gender" };
        LoggedPrediction With(LogPrivacy privacy) => new("p1", "r1", "m", 2, "alice", [12.5f, 37f], [0.7f], 5, Answered, PredictionRole.Champion, privacy, "female");

        var hash = PredictionEnvelope.Write(With(hashed));
        var drop = PredictionEnvelope.Write(With(dropped));

        var label = "hash:" + Hasher.HashText("gender", "female");
        label.Should().MatchRegex("^hash:[0-9a-f]{16}$");
        hash.Should().Equal(Expected(Logged(label)));
        hash.AsSpan().IndexOf("female"u8).Should().Be(-1, "the value never reaches the log");
        drop.Should().Equal(Expected(Logged("")), "a dropped column's group is not logged at all");
        Hasher.HashText("gender", "male").Should().NotBe(Hasher.HashText("gender", "female"));
        Hasher.HashText("region", "female").Should().NotBe(Hasher.HashText("gender", "female"), "the column keys the hash");
    }

    [Fact]
    public void The_segment_columns_privacy_is_its_dataset_columns_and_unknown_means_dropped()
    {
        var catalog = new FeaturePrivacyCatalog(Hasher);
        var view = new FeatureViewApplied { FeatureView = "v", Version = 1, Dataset = "people", Features = { new FeatureSource { Feature = "amount", Column = "amount" } } };

        catalog.Resolve("v", ["amount"], "gender").SegmentTreatment.Should().Be(FeatureTreatment.Drop, "privacy not known is never assumed away");

        catalog.Apply(view);
        catalog.Apply(new DatasetRegistered
        {
            Dataset = "people", SchemaVersion = 1,
            Columns =
            {
                new DatasetColumn { Name = "amount", Type = Contracts.Common.V1.ValueType.Float64 },
                new DatasetColumn { Name = "gender", Type = Contracts.Common.V1.ValueType.String, Sensitive = true },
                new DatasetColumn { Name = "region", Type = Contracts.Common.V1.ValueType.String },
                new DatasetColumn { Name = "ssn", Type = Contracts.Common.V1.ValueType.String, Sensitive = true, Privacy = ColumnPrivacy.Drop },
            },
        });

        catalog.Resolve("v", ["amount"], "gender").Should().BeEquivalentTo(new { SegmentTreatment = FeatureTreatment.Hash, SegmentColumn = "gender", IsEmpty = true });
        catalog.Resolve("v", ["amount"], "ssn").SegmentTreatment.Should().Be(FeatureTreatment.Drop);
        catalog.Resolve("v", ["amount"], "region").Should().BeSameAs(LogPrivacy.None, "a plain column costs nothing");
        catalog.Resolve("v", ["amount"]).Should().BeSameAs(LogPrivacy.None);
    }
}
