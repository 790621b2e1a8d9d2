using Cascade.Contracts.Pipeline.V1;
using Cascade.Hosting.Grpc;
using Grpc.Core;

namespace Cascade.WebConsole.Pipeline;

/// <summary><c>GetPipelineStatus</c> (REST <c>GET /v1/pipeline</c>): the figures this process's services publish.</summary>
public sealed class PipelineGrpcService(PipelineSampler sampler, IServiceProvider services) : Contracts.Pipeline.V1.Pipeline.PipelineBase
{
    public override Task<PipelineStatus> GetPipelineStatus(GetPipelineStatusRequest request, ServerCallContext context) =>
        Task.FromResult(sampler.Read(GrpcHosting.ServedServices(services).Where(s => s.StartsWith("cascade.", StringComparison.Ordinal) && s != Contracts.Pipeline.V1.Pipeline.Descriptor.FullName)));
}
