using Cascade.Cli.Demo;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Serving.V1;
using Cascade.Features.Grpc;
using Cascade.Grpc;
using Cascade.Serving.Grpc;

namespace Cascade.Distributed.Tests;

/// <summary>Waits on a running cluster, through the services' own status APIs.</summary>
internal static class ClusterProbes
{
    /// <summary>Until the demo view has <paramref name="labeledRows"/> labeled rows or <paramref name="limit"/> passed; the last status read.</summary>
    public static async Task<MaterializationStatus> AwaitMaterializedAsync(CascadeChannels channels, long labeledRows, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        MaterializationStatus status;
        do
        {
            await Task.Delay(250);
            try
            {
                status = await channels.Features.UnaryAsync(FeaturesMethods.GetMaterializationStatus, new GetMaterializationStatusRequest { FeatureView = DemoDataset.FeatureView });
            }
            catch (RpcException)
            {
                status = new MaterializationStatus(); // a restarted process is not listening yet
            }
        }
        while (status.LabeledRows < labeledRows && DateTime.UtcNow < deadline);
        return status;
    }

    /// <summary>Until Serving serves a model (trained from the data by the labeled-rows trigger).</summary>
    public static async Task AwaitServedModelAsync(CascadeChannels channels, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while ((await channels.Serving.UnaryAsync(ServingMethods.GetServingStatus, new GetServingStatusRequest())).Models.Count == 0)
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "a model is trained from the first 10,000 labeled rows and served");
            await Task.Delay(250);
        }
    }
}
