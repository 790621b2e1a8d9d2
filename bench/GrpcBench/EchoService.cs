using Grpc.Core;

namespace Cascade.Bench;

/// <summary>The work both endpoints do: parse the request, sum its features, answer.</summary>
internal sealed class EchoService : Echo.EchoBase
{
    public override Task<EchoReply> Unary(EchoRequest request, ServerCallContext context) => Task.FromResult(Answer(request.Id, request.Features));

    public static EchoReply Answer(string id, IEnumerable<float> features)
    {
        var sum = 0f;
        foreach (var value in features)
        {
            sum += value;
        }
        return new EchoReply { Id = id, Sum = sum };
    }
}

/// <summary>The JSON twin of <see cref="EchoRequest"/>.</summary>
internal sealed record JsonEchoRequest(string Id, float[] Features);

/// <summary>The JSON twin of <see cref="EchoReply"/>.</summary>
internal sealed record JsonEchoReply(string Id, float Sum);
