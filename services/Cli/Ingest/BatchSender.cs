using Cascade.Contracts;
using Cascade.Contracts.Ingestion.V1;
using Grpc.Core;

namespace Cascade.Cli.Ingest;

/// <summary>
/// Sends records in batches over client-streaming <c>Ingest</c> calls of at most <see cref="BatchesPerCall"/>
/// batches each, one call at a time, and maps the host's per-record errors back to the rows they came from.
/// </summary>
/// <remarks>
/// Why calls of a few batches, rather than one <c>Ingest</c> call for the whole file or repeated <c>IngestBatch</c>:
/// <list type="bullet">
/// <item><c>Ingest</c> answers once, when the call ends, with errors indexed across the call. One call for the whole
/// file would have to remember a line for every record sent (memory grows with the file), would report nothing
/// until the end, and a broken connection at 90 % would leave every row's fate unknown.</item>
/// <item><c>IngestBatch</c> answers per batch, but several batches in flight at once race each other to the log, so
/// an entity's rows could land out of file order (a feature view's "last value" follows log order); one at a
/// time waits a broker round trip per batch.</item>
/// <item>A call of a few batches keeps file order (the host queues a call's batches in order, and calls do not
/// overlap), lets the host keep several of them on their way to the broker at once, and its answer maps back
/// through the lines of at most <see cref="BatchesPerCall"/> × batch size records: bounded memory, and the
/// reports of a call come out as soon as it ends, in line order.</item>
/// </list>
/// </remarks>
internal sealed class BatchSender(Contracts.Ingestion.V1.Ingestion.IngestionClient client, string dataset, int batchSize, IngestTally tally, Action<RowReport> report)
{
    /// <summary>Batches per call: the records whose answer is outstanding are at most this many batches.</summary>
    public const int BatchesPerCall = 8;

    /// <summary>A batch closes before this many bytes, under the host's 4 MiB message limit, however large the records.</summary>
    private const int MaxBatchBytes = 3 * 1024 * 1024;

    /// <summary>A call that has not finished in this long has a hung host behind it.</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromMinutes(2);

    private readonly List<long> _lines = []; // the line of every record of the current call, by its index in the call
    private readonly List<RowReport> _reports = []; // rows found invalid since the current call began
    private AsyncClientStreamingCall<IngestRequest, IngestResponse>? _call;
    private IngestRequest _batch = new() { Dataset = dataset };
    private int _batchBytes;
    private int _batchesInCall;

    private int RowsPerCall => BatchesPerCall * batchSize;

    public async Task AddAsync(Record record, long line, CancellationToken cancellationToken)
    {
        var size = record.CalculateSize();
        if (_batch.Records.Count > 0 && _batchBytes + size > MaxBatchBytes)
        {
            await WriteBatchAsync(cancellationToken);
        }
        _batch.Records.Add(record);
        _batchBytes += size;
        _lines.Add(line);
        if (_batch.Records.Count >= batchSize)
        {
            await WriteBatchAsync(cancellationToken);
        }
    }

    /// <summary>A row the client refused: reported with the others of its call, in line order.</summary>
    public async Task RejectAsync(RowReport problem, CancellationToken cancellationToken)
    {
        _reports.Add(problem);
        tally.Invalid++;
        if (_reports.Count >= RowsPerCall)
        {
            await FlushAsync(cancellationToken);
        }
    }

    /// <summary>Sends what is pending, ends the call, counts its answer and reports its invalid rows.</summary>
    /// <exception cref="RpcException">The host failed the call: none of its records can be assumed accepted.</exception>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_batch.Records.Count > 0)
        {
            await WriteAsync(cancellationToken);
        }
        if (_call is { } call)
        {
            IngestResponse response;
            try
            {
                await call.RequestStream.CompleteAsync();
                response = await call.ResponseAsync;
            }
            finally
            {
                call.Dispose();
                _call = null;
            }
            tally.Accepted += response.Accepted;
            tally.Duplicates += response.Duplicates;
            foreach (var error in response.Errors)
            {
                var line = error.Index >= 0 && error.Index < _lines.Count ? _lines[error.Index] : 0;
                _reports.Add(new RowReport(line, string.IsNullOrEmpty(error.Field) ? null : error.Field, error.Reason));
                tally.Invalid++;
            }
        }
        ReportPending();
        _lines.Clear();
        _batchesInCall = 0;
    }

    /// <summary>Reports the invalid rows held for the current call, in line order (after a failed call: those the client refused; the host's verdicts are lost with it).</summary>
    public void ReportPending()
    {
        foreach (var problem in _reports.OrderBy(r => r.Line))
        {
            report(problem);
        }
        _reports.Clear();
    }

    private async Task WriteBatchAsync(CancellationToken cancellationToken)
    {
        await WriteAsync(cancellationToken);
        if (_batchesInCall >= BatchesPerCall)
        {
            await FlushAsync(cancellationToken);
        }
    }

    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        var call = _call ??= client.Ingest(GrpcCalls.Within(CallTimeout, cancellationToken));
        try
        {
            await call.RequestStream.WriteAsync(_batch, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A host that failed the call makes the write fail with a vaguer error; its status says why.
            await call.ResponseAsync;
            throw;
        }
        _batch = new IngestRequest { Dataset = dataset };
        _batchBytes = 0;
        _batchesInCall++;
    }
}
