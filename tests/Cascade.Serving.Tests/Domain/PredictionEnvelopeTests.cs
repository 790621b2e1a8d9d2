using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Serving.Domain;
using Cascade.Serving.Privacy;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Cascade.Serving.Tests.Domain;

/// <summary>The envelope written straight from a prediction is the one Google.Protobuf writes for the same messages.</summary>
public class PredictionEnvelopeTests
{
    private static readonly DateTime Answered = new DateTime(2026, 12, 6, 9, 30, 15, DateTimeKind.Utc).AddTicks(1_234_567);

    public static TheoryData<string, LoggedPrediction> Predictions() => new()
    {
        { "a champion's answer by entity", new("3f2a9c", "req-1", "demo-model", 3, "device-42", [0.5f, -1.25f, 3e7f, 0f, 1f, 2f, 3f, 4f, 5f, 6f], [0.83f], 4, Answered, PredictionRole.Champion) },
        { "a canary's answer, several outputs, missing values", new("id-2", "req-2", "multi", 12, string.Empty, [float.NaN, -0f, float.MaxValue], [0.1f, 0.2f, 0.7f], 0, Answered, PredictionRole.Canary) },
        { "a shadow's answer, unicode names, no request id", new("id-3", string.Empty, "modèle-☃", 2, "entité", [1f], [0f], 1_000_000_000_000, Answered, PredictionRole.Shadow) },
        { "version 0 (left out)", new("id-4", "r", "m", 0, "e", [1f], [1f], 7, Answered, PredictionRole.Champion) },
        { "a negative version and latency (10-byte varints)", new("id-5", "r", "m", -1, "e", [1f], [1f], -3, Answered, PredictionRole.Champion) },
        { "no features nor outputs", new("id-6", "r", "m", 1, "e", [], [], 1, Answered, PredictionRole.Champion) },
        { "a whole second, no nanoseconds", new("id-7", "r", "m", 1, "e", [2f], [3f], 1, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), PredictionRole.Champion) },
        { "the Unix epoch (a timestamp with nothing in it)", new("id-8", "r", "m", 1, "e", [2f], [3f], 1, DateTime.UnixEpoch, PredictionRole.Champion) },
        { "before the Unix epoch", new("id-9", "r", "m", 1, "e", [2f], [3f], 1, new DateTime(1960, 5, 17, 3, 4, 5, DateTimeKind.Utc).AddTicks(42), PredictionRole.Champion) },
        { "long ids", new(new string('f', 300), new string('r', 200), new string('m', 130), 1, new string('é', 100), [2f], [3f], 1, Answered, PredictionRole.Champion) },
    };

    [Theory]
    [MemberData(nameof(Predictions))]
    public void It_is_byte_for_byte_the_envelope_of_the_logged_prediction(string why, LoggedPrediction prediction)
    {
        var logged = new PredictionLogged
        {
            PredictionId = prediction.PredictionId, RequestId = prediction.RequestId, Model = prediction.Model, Version = prediction.Version, EntityId = prediction.EntityId,
            Features = { prediction.Features }, Outputs = { prediction.Outputs }, LatencyMicros = prediction.LatencyMicros, Time = Timestamp.FromDateTime(prediction.Time),
            Canary = prediction.Role == PredictionRole.Canary, Shadow = prediction.Role == PredictionRole.Shadow,
        };
        var expected = EventEnvelopes.Wrap(logged, prediction.Model, "cascade-serving", eventId: prediction.PredictionId, traceparent: string.Empty);
        expected.OccurredAt = Timestamp.FromDateTime(prediction.Time);

        var written = PredictionEnvelope.Write(prediction);

        written.Should().Equal(expected.ToByteArray(), why);
        EventEnvelopes.Unwrap(EventEnvelope.Parser.ParseFrom(written), PredictionLogged.Parser).Should().Be(logged, why);
    }

    [Fact]
    public void Withheld_features_are_NaN_with_a_hash_or_nothing_beside_them_byte_for_byte_as_google_writes_them()
    {
        var hasher = new PrivacyHasher(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        // position 0: a sensitive numeric feature hashed; 2: one dropped; 3-5: a sensitive one-hot column hashed as one value.
        var privacy = new LogPrivacy(
            [new WithheldGroup("age", [0], FeatureTreatment.Hash), new WithheldGroup("income", [2], FeatureTreatment.Drop), new WithheldGroup("postcode", [3, 4, 5], FeatureTreatment.Hash)],
            6, hasher);
        float[] scored = [37f, 12.5f, 52_000f, 0f, 1f, 0f];
        var prediction = new LoggedPrediction("p1", "r1", "m", 2, "alice", scored, [0.7f], 5, Answered, PredictionRole.Champion, privacy);

        var written = PredictionEnvelope.Write(prediction);

        var logged = new PredictionLogged
        {
            PredictionId = "p1", RequestId = "r1", Model = "m", Version = 2, EntityId = "alice", Features = { float.NaN, 12.5f, float.NaN, float.NaN, float.NaN, float.NaN },
            Outputs = { 0.7f }, LatencyMicros = 5, Time = Timestamp.FromDateTime(Answered),
            Withheld =
            {
                new WithheldFeature { Name = "age", Indexes = { 0 }, Hash = hasher.Hash("age", scored, [0]) },
                new WithheldFeature { Name = "income", Indexes = { 2 } },
                new WithheldFeature { Name = "postcode", Indexes = { 3, 4, 5 }, Hash = hasher.Hash("postcode", scored, [3, 4, 5]) },
            },
        };
        var expected = EventEnvelopes.Wrap(logged, "m", "cascade-serving", eventId: "p1", traceparent: string.Empty);
        expected.OccurredAt = Timestamp.FromDateTime(Answered);
        written.Should().Equal(expected.ToByteArray());
        logged.Withheld[0].Hash.Should().MatchRegex("^[0-9a-f]{16}$");
        foreach (var raw in new[] { 37f, 52_000f })
        {
            Contains(written, BitConverter.GetBytes(raw)).Should().BeFalse($"the scored value {raw} never reaches the log");
        }
        scored.Should().Equal([37f, 12.5f, 52_000f, 0f, 1f, 0f], "the request's features are left as the model scored them");
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    [Fact]
    public void Prediction_ids_are_32_lowercase_hex_digits_and_unique()
    {
        var ids = Enumerable.Range(0, 100_000).Select(_ => Predictor.NewPredictionId()).ToArray();

        ids.Should().OnlyContain(id => id.Length == 32 && id.All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c)));
        ids.Distinct().Should().HaveCount(ids.Length);
    }
}
