using Cascade.Contracts;
using Cascade.Cli.Demo;
using Cascade.Contracts.Features.V1;
using Cascade.Contracts.Ingestion.V1;
using Cascade.Contracts.Serving.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Record = Cascade.Contracts.Ingestion.V1.Record;

namespace Cascade.Distributed.Tests;

/// <summary>Feeds a running cluster the demo's records and waits on it, through the services' own APIs.</summary>
internal static class ClusterDriver
{
    /// <summary>
    /// Sends records [from, to) in batches of 500, re-sending a batch the cluster refused or did not answer
    /// (record ids make that safe), with <paramref name="pause"/> between batches.
    /// </summary>
    public static async Task IngestAsync(CascadeChannels channels, Record[] records, int from, int to, TimeSpan pause, CancellationToken cancellationToken)
    {
        for (var i = from; i < to; i += 500)
        {
            var request = new IngestRequest { Dataset = DemoDataset.Name };
            request.Records.Add(records.Skip(i).Take(Math.Min(500, to - i)));
            while (true)
            {
                try
                {
                    await new Cascade.Contracts.Ingestion.V1.Ingestion.IngestionClient(channels.Ingestion).IngestBatchAsync(request, GrpcCalls.Within(TimeSpan.FromSeconds(45), cancellationToken));
                    break;
                }
                catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown)
                {
                    await Task.Delay(500, cancellationToken);
                }
            }
            if (pause > TimeSpan.Zero) await Task.Delay(pause, cancellationToken);
        }
    }

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
                status = await new Cascade.Contracts.Features.V1.Features.FeaturesClient(channels.Features).GetMaterializationStatusAsync(new GetMaterializationStatusRequest { FeatureView = DemoDataset.FeatureView });
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
        while ((await new Cascade.Contracts.Serving.V1.Serving.ServingClient(channels.Serving).GetServingStatusAsync(new GetServingStatusRequest())).Models.Count == 0)
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "a model is trained from the first 10,000 labeled rows and served");
            await Task.Delay(250);
        }
    }
}
