using Cascade.Contracts.Monitoring.V1;
using Cascade.Monitoring.Domain.Distributions;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Cascade.Monitoring.Grpc;

/// <summary>GetDistribution's request checks, and its mapping from the monitor's answer to the wire (a message or a status).</summary>
internal static class DistributionRequests
{
    /// <summary>InvalidArgument, naming the field, when the request cannot be asked of a monitor.</summary>
    public static void Check(GetDistributionRequest request)
    {
        if (string.IsNullOrEmpty(request.Model)) throw new RpcException(new Status(StatusCode.InvalidArgument, "model is required."));
        if (request.Version < 0) throw new RpcException(new Status(StatusCode.InvalidArgument, $"version must be 0 (the watched one) or a version number; got {request.Version}."));
    }

    public static Distribution ToMessage(string model, DistributionAnswer answer)
    {
        if (answer.Distribution is not { } d) throw new RpcException(new Status(StatusOf(answer.Problem), answer.Message));
        var message = new Distribution
        {
            Model = model,
            Version = d.Version,
            Feature = d.Feature,
            IsPrediction = d.IsPrediction,
            BinEdges = { d.Edges },
            ReferenceShares = { d.ReferenceShares },
            CurrentShares = { d.CurrentShares },
            ReferenceMissingShare = d.ReferenceMissingShare,
            CurrentMissingShare = d.CurrentMissingShare,
            ReferenceCount = d.ReferenceCount,
            WindowSize = d.Window.Size,
        };
        if (d.Window.Size > 0)
        {
            message.WindowStart = Timestamp.FromDateTimeOffset(d.Window.StartTime);
            message.WindowEnd = Timestamp.FromDateTimeOffset(d.Window.EndTime);
        }
        return message;
    }

    private static StatusCode StatusOf(DistributionProblem problem) => problem switch
    {
        DistributionProblem.ModelNotWatched or DistributionProblem.VersionNotWatched => StatusCode.NotFound,
        DistributionProblem.UnknownFeature => StatusCode.InvalidArgument,
        DistributionProblem.NoReferenceProfile or DistributionProblem.FeatureWithheld => StatusCode.FailedPrecondition,
        _ => StatusCode.Internal,
    };
}
