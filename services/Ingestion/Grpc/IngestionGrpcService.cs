using Cascade.Contracts.Ingestion.V1;
using Grpc.Core;
using Cascade.EventLog.Abstractions;
using Cascade.Ingestion.Domain;
using Cascade.Ingestion.Options;
using Cascade.Ingestion.Storage;
using Google.Protobuf.WellKnownTypes;

namespace Cascade.Ingestion.Grpc;

/// <summary>The Ingestion gRPC API: thin handlers over <see cref="DatasetRegistry"/> and <see cref="RecordIngestor"/>, mapping domain errors to statuses.</summary>
public sealed class IngestionGrpcService(DatasetRegistry datasets, RecordIngestor ingestor, IngestionStore store, IngestionOptions options) : Contracts.Ingestion.V1.Ingestion.IngestionBase
{
    public override Task<Dataset> RegisterDataset(RegisterDatasetRequest request, ServerCallContext context) => RegisterDatasetAsync(request, context);

    public override Task<Dataset> GetDataset(GetDatasetRequest request, ServerCallContext context) => GetDatasetAsync(request, context);

    public override Task<ListDatasetsResponse> ListDatasets(ListDatasetsRequest request, ServerCallContext context) => ListDatasetsAsync(request, context);

    public override Task<IngestResponse> Ingest(IAsyncStreamReader<IngestRequest> requestStream, ServerCallContext context) => IngestAsync(requestStream, context);

    public override Task<IngestResponse> IngestBatch(IngestRequest request, ServerCallContext context) =>
        Guard(() => ingestor.IngestAsync(request.Dataset, request.Records, context.CancellationToken));

    public override Task<SubmitLabelsResponse> SubmitLabels(SubmitLabelsRequest request, ServerCallContext context) =>
        Guard(() => ingestor.SubmitLabelsAsync(request.Labels, context.CancellationToken));

    private Task<Dataset> RegisterDatasetAsync(RegisterDatasetRequest request, ServerCallContext context) => Guard(async () =>
    {
        if (request.Spec is null) throw new ArgumentException("spec is required.");
        if (!request.ValidateOnly)
        {
            await datasets.RegisterAsync(request.Spec, context.CancellationToken);
            return await Describe(request.Spec.Name, context.CancellationToken);
        }
        // A server-side dry run: the requested spec under the version it would get, with what is stored now.
        var version = datasets.Preview(request.Spec);
        var preview = store.Get(request.Spec.Name) is null
            ? new Dataset { Meta = new DatasetMeta { Topic = Cascade.Contracts.Events.Topics.Data(request.Spec.Name) } }
            : await Describe(request.Spec.Name, context.CancellationToken);
        preview.Spec = request.Spec;
        preview.Meta.SchemaVersion = version;
        return preview;
    });

    private Task<Dataset> GetDatasetAsync(GetDatasetRequest request, ServerCallContext context) =>
        Guard(() => Describe(request.Name, context.CancellationToken));

    private async Task<ListDatasetsResponse> ListDatasetsAsync(ListDatasetsRequest request, ServerCallContext context)
    {
        var response = new ListDatasetsResponse();
        foreach (var name in store.Names())
        {
            response.Datasets.Add(await Describe(name, context.CancellationToken));
        }
        return response;
    }

    private Task<IngestResponse> IngestAsync(IAsyncStreamReader<IngestRequest> requests, ServerCallContext context) => Guard(async () =>
    {
        // Each message is validated and queued for the log as it arrives, while up to MaxBatchesInFlight earlier
        // ones are still waiting for the broker: a long stream never holds records back, and the broker's round
        // trip does not stall reading the stream. Batches queue in order, so a key's records stay in order.
        var total = new IngestResponse();
        var pending = new Queue<(Task<IngestResponse> Batch, int Offset)>();
        var offset = 0;
        await foreach (var request in requests.ReadAllAsync(context.CancellationToken))
        {
            pending.Enqueue((await ingestor.StartAsync(request.Dataset, request.Records, context.CancellationToken), offset));
            offset += request.Records.Count;
            while (pending.Count > options.MaxBatchesInFlight) Add(total, await pending.Peek().Batch, pending.Dequeue().Offset);
        }
        while (pending.Count > 0) Add(total, await pending.Peek().Batch, pending.Dequeue().Offset);
        return total;
    });

    private static void Add(IngestResponse total, IngestResponse batch, int offset)
    {
        total.Accepted += batch.Accepted;
        total.Duplicates += batch.Duplicates;
        foreach (var error in batch.Errors)
        {
            // Indices count across the whole stream, so the producer can find the record.
            error.Index += offset;
            total.Errors.Add(error);
        }
        total.Watermark = batch.Watermark;
    }

    private async Task<Dataset> Describe(string name, CancellationToken cancellationToken)
    {
        var stored = store.Get(name) ?? throw new DatasetNotFoundException(name);
        return new Dataset
        {
            Spec = stored.Spec,
            Meta = new DatasetMeta
            {
                SchemaVersion = stored.Version,
                Topic = Cascade.Contracts.Events.Topics.Data(name),
                CreatedAt = Timestamp.FromDateTimeOffset(stored.CreatedAt),
                UpdatedAt = Timestamp.FromDateTimeOffset(stored.UpdatedAt),
                RecordsAccepted = stored.Accepted,
                Watermark = await ingestor.WatermarkAsync(Cascade.Contracts.Events.Topics.Data(name), cancellationToken),
            },
        };
    }

    /// <summary>Domain errors to gRPC statuses, with the domain's message (it says what to fix).</summary>
    private static async Task<T> Guard<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (DatasetNotFoundException ex)
        {
            throw new RpcException(new Status(StatusCode.NotFound, ex.Message));
        }
        catch (IncompatibleSchemaException ex)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, ex.Message));
        }
        catch (EventLogException ex)
        {
            // The log did not take the records (broker down, timeout): nothing of the batch counts as accepted.
            throw new RpcException(new Status(StatusCode.Unavailable, ex.Message));
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, ex.Message.Split(" (Parameter")[0]));
        }
        catch (ArgumentException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
    }
}
