using Cascade.Contracts.Pipeline.V1;
using Grpc.Core;

namespace Cascade.WebConsole.Pipeline;

/// <summary><c>GetPipelineStatus</c> (REST <c>GET /v1/pipeline</c>): the figures <see cref="PipelineSampler"/> made from the services' totals.</summary>
public sealed class PipelineGrpcService(PipelineSampler sampler) : Contracts.Pipeline.V1.Pipeline.PipelineBase
{
    public override Task<PipelineStatus> GetPipelineStatus(GetPipelineStatusRequest request, ServerCallContext context) => Task.FromResult(sampler.Read());
}
