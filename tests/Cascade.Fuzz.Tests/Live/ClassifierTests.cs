using Cascade.Fuzz.Live;
using Grpc.Core;

namespace Cascade.Fuzz.Tests.Live;

/// <summary>The campaign's judge: what the gRPC specification and the REST bindings allow for each kind of input, and what they do not.</summary>
public class ClassifierTests
{
    private static FuzzCase Grpc(Payload payload, bool clientStreams = false, int deadline = 0) => new()
    {
        Kind = "grpc", Strategy = "test", Target = "/cascade.serving.v1.Serving/Predict", Path = "/cascade.serving.v1.Serving/Predict",
        Payload = payload, ClientStreams = clientStreams, DeadlineMs = deadline,
    };

    private static Answer Status(StatusCode code, string message = "why") => new(200, (int)code, message, null, TimeSpan.Zero);

    [Theory]
    [InlineData(StatusCode.OK)]
    [InlineData(StatusCode.InvalidArgument)]
    [InlineData(StatusCode.FailedPrecondition)]
    [InlineData(StatusCode.NotFound)]
    [InlineData(StatusCode.AlreadyExists)]
    [InlineData(StatusCode.ResourceExhausted)]
    [InlineData(StatusCode.OutOfRange)]
    public void Decodable_content_may_be_answered_or_refused_with_a_reason(StatusCode code)
    {
        Classifier.Judge(Grpc(Payload.Decodable), Status(code)).Should().BeNull();
    }

    [Theory]
    [InlineData(StatusCode.Unknown)]
    [InlineData(StatusCode.Internal)]
    [InlineData(StatusCode.DataLoss)]
    [InlineData(StatusCode.DeadlineExceeded)]
    public void Decodable_content_is_never_unknown_internal_or_a_deadline_it_did_not_have(StatusCode code)
    {
        Classifier.Judge(Grpc(Payload.Decodable), Status(code)).Should().NotBeNull();
    }

    [Fact]
    public void A_refusal_needs_a_message()
    {
        Classifier.Judge(Grpc(Payload.Decodable), Status(StatusCode.InvalidArgument, "")).Should().Contain("without a message");
    }

    [Fact]
    public void Undecodable_bytes_are_internal_and_never_ok()
    {
        Classifier.Judge(Grpc(Payload.Undecodable), Status(StatusCode.Internal)).Should().BeNull();
        Classifier.Judge(Grpc(Payload.Undecodable), Status(StatusCode.OK)).Should().NotBeNull();
        Classifier.Judge(Grpc(Payload.Undecodable), Status(StatusCode.InvalidArgument)).Should().NotBeNull("a unary call's only message did not decode");
        Classifier.Judge(Grpc(Payload.Undecodable, clientStreams: true), Status(StatusCode.InvalidArgument)).Should().BeNull("a stream may be refused for an earlier message");
    }

    [Fact]
    public void Oversized_messages_are_resource_exhausted_and_unknown_encodings_unimplemented()
    {
        Classifier.Judge(Grpc(Payload.Oversized), Status(StatusCode.ResourceExhausted)).Should().BeNull();
        Classifier.Judge(Grpc(Payload.Oversized), Status(StatusCode.OK)).Should().NotBeNull();
        Classifier.Judge(Grpc(Payload.UnsupportedEncoding), Status(StatusCode.Unimplemented)).Should().BeNull();
    }

    [Fact]
    public void Deadlines_excuse_cancellation_only_when_one_was_set()
    {
        Classifier.Judge(Grpc(Payload.Decodable, deadline: 5), Status(StatusCode.DeadlineExceeded)).Should().BeNull();
        Classifier.Judge(Grpc(Payload.Decodable, deadline: 5), Status(StatusCode.Cancelled)).Should().BeNull();
        Classifier.Judge(Grpc(Payload.Decodable), Status(StatusCode.Cancelled)).Should().NotBeNull();
    }

    [Fact]
    public void No_answer_or_no_status_is_a_finding()
    {
        Classifier.Judge(Grpc(Payload.Decodable), new Answer(0, null, "", "connection reset", TimeSpan.Zero)).Should().NotBeNull();
        Classifier.Judge(Grpc(Payload.Decodable), new Answer(200, null, "", null, TimeSpan.Zero)).Should().Be("no grpc-status");
        Classifier.Judge(Grpc(Payload.Decodable), new Answer(415, null, "", null, TimeSpan.Zero)).Should().NotBeNull();
    }

    [Theory]
    [InlineData(500, "", true)]
    [InlineData(502, "", true)]
    [InlineData(503, "no model is served", false)]
    [InlineData(400, "shape [1] does not fit", false)]
    [InlineData(400, "", true)]
    [InlineData(404, "", false)]
    [InlineData(200, "", false)]
    public void Rest_answers_are_never_5xx_but_503_and_a_handler_refusal_says_why(int status, string message, bool finding)
    {
        var fuzzCase = new FuzzCase { Kind = "rest", Strategy = "json-odd-value", Target = "/v2/models/{name}/infer", Verb = "POST", Path = "/v2/models/m/infer" };
        var verdict = Classifier.Judge(fuzzCase, new Answer(status, null, message, null, TimeSpan.Zero));
        (verdict is not null).Should().Be(finding, verdict);
    }
}
