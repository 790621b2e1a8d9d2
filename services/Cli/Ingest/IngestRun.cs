using Cascade.Contracts.Ingestion.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cascade.Cli.Ingest;

/// <summary>
/// One <c>cascade ingest</c>: open the file, fetch the dataset's schema, match the header to it (refusing before
/// anything is sent when it cannot fit), then stream the rows as records and account for every one of them.
/// </summary>
internal sealed class IngestRun(IngestSettings settings, IngestConsole console)
{
    /// <summary>Runs the ingestion; returns the exit code (<see cref="IngestExitCodes"/>).</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var reader = await TableReaders.OpenAsync(settings.File, cancellationToken);
            using var channel = Commands.CliChannels.ForAddress(settings.Host, settings.ApiKey);
            var client = new Contracts.Ingestion.V1.Ingestion.IngestionClient(channel);
            var dataset = await FetchAsync(client, cancellationToken);
            var mapping = ColumnMapping.Create(dataset.Spec, reader.Columns, settings.Labels, settings.IdColumn);
            foreach (var warning in mapping.Warnings)
            {
                console.Diagnostic($"warning: {warning}");
            }
            await using var invalid = new InvalidRowLog(settings.File, console, OpenErrorsFile());
            return await StreamAsync(reader, mapping, client, invalid, cancellationToken);
        }
        catch (IngestUsageException ex)
        {
            console.Diagnostic($"error: {ex.Message}");
            return IngestExitCodes.Usage;
        }
    }

    private async Task<Dataset> FetchAsync(Contracts.Ingestion.V1.Ingestion.IngestionClient client, CancellationToken cancellationToken)
    {
        try
        {
            return await client.GetDatasetAsync(new GetDatasetRequest { Name = settings.Dataset }, Contracts.GrpcCalls.Within(TimeSpan.FromSeconds(30), cancellationToken));
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            throw new IngestUsageException($"dataset '{settings.Dataset}' is not registered on {settings.Host}: register it first (./cascade apply -f with a Dataset spec, or RegisterDataset), or check --dataset.");
        }
        catch (RpcException ex)
        {
            throw new IngestUsageException(Unreachable(ex));
        }
    }

    private async Task<int> StreamAsync(ITableReader reader, ColumnMapping mapping, Contracts.Ingestion.V1.Ingestion.IngestionClient client, InvalidRowLog invalid, CancellationToken cancellationToken)
    {
        var tally = new IngestTally();
        var mapper = new RecordMapper(mapping);
        var sender = new BatchSender(client, settings.Dataset, settings.BatchSize, tally, invalid.Report);
        string? failure = null;
        await console.RunAsync($"{Path.GetFileName(settings.File)} → {settings.Dataset}", reader.Length, reader.ProgressUnit, async progress =>
        {
            try
            {
                await foreach (var row in reader.ReadAsync(mapping.Needed, cancellationToken))
                {
                    tally.Read++;
                    if (mapper.Map(row, out var problem) is { } record) await sender.AddAsync(record, row.Line, cancellationToken);
                    else await sender.RejectAsync(problem!, cancellationToken);
                    progress(reader.Position, tally.Read);
                }
                await sender.FlushAsync(cancellationToken);
                progress(reader.Length, tally.Read);
            }
            catch (RpcException ex)
            {
                failure = Unreachable(ex);
                sender.ReportPending();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or NotSupportedException)
            {
                // The file broke off mid-way (a truncated Parquet row group, a disk error): what was sent stays sent.
                failure = $"reading {settings.File}: {ex.Message}";
                sender.ReportPending();
            }
        });

        if (invalid.Hidden(settings.ErrorsFile) is { } hidden) console.Diagnostic(hidden);
        var unanswered = tally.Unanswered > 0 ? $", {tally.Unanswered:N0} unanswered" : string.Empty;
        console.Result($"{settings.File}: {tally.Read:N0} rows read, {tally.Accepted:N0} accepted, {tally.Duplicates:N0} duplicates, {tally.Invalid:N0} invalid{unanswered}");
        if (failure is not null)
        {
            // Rows sent before the failure may or may not be in: the same command again ingests the rest, and
            // counts whatever already arrived as duplicates.
            console.Diagnostic($"error: {failure}. {tally.Unanswered:N0} rows were not confirmed: run the same command again (rows already ingested count as duplicates).");
            return IngestExitCodes.Usage;
        }
        return tally.Invalid > 0 ? IngestExitCodes.InvalidRows : IngestExitCodes.Success;
    }

    private TextWriter? OpenErrorsFile()
    {
        if (settings.ErrorsFile is null) return null;
        try
        {
            return new StreamWriter(settings.ErrorsFile, append: false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new IngestUsageException($"--errors {settings.ErrorsFile}: cannot write it ({ex.Message}).");
        }
    }

    private string Unreachable(RpcException ex)
    {
        var hint = ex.StatusCode switch
        {
            StatusCode.Unavailable or StatusCode.DeadlineExceeded => " (is the host running? start it with ./cascade up, or point --grpc at it)",
            StatusCode.ResourceExhausted => " (lower --batch-size)",
            _ => string.Empty,
        };
        return $"host {settings.Host}: {ex.StatusCode}: {ex.Status.Detail}{hint}";
    }
}
