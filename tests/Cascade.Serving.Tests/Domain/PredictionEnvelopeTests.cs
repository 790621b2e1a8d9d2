using Cascade.Contracts.Events;
using Cascade.Contracts.Events.V1;
using Cascade.Serving.Domain;
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
    public void Prediction_ids_are_32_lowercase_hex_digits_and_unique()
    {
        var ids = Enumerable.Range(0, 100_000).Select(_ => Predictor.NewPredictionId()).ToArray();

        ids.Should().OnlyContain(id => id.Length == 32 && id.All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c)));
        ids.Distinct().Should().HaveCount(ids.Length);
    }
}
