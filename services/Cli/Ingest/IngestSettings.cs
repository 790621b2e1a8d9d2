namespace Cascade.Cli.Ingest;

/// <summary>What <c>cascade ingest</c> was asked to do, checked before anything is read or sent.</summary>
internal sealed record IngestSettings(string Dataset, string File, bool Labels, string? IdColumn, int BatchSize, string? ErrorsFile, string Host)
{
    /// <summary>The API key or token for a host started with --auth (null: none).</summary>
    public string? ApiKey { get; init; }

    /// <summary>The default <c>--batch-size</c>.</summary>
    public const int DefaultBatchSize = 500;

    /// <summary>The largest <c>--batch-size</c>: the host's default limit on records per request (Ingestion's MaxRecordsPerBatch).</summary>
    public const int MaxBatchSize = 10_000;

    /// <summary>The default <c>--grpc</c>: the all-in-one host's gRPC port.</summary>
    public const string DefaultHost = "http://127.0.0.1:50051";

    /// <summary>Settings from the options' raw values.</summary>
    /// <exception cref="IngestUsageException">What is missing or out of range, and how to fix it.</exception>
    public static IngestSettings From(string? dataset, string? file, bool labels, string? idColumn, string? batchSize, string? errorsFile, string? host)
    {
        if (string.IsNullOrWhiteSpace(dataset)) throw new IngestUsageException("--dataset is required: name the registered dataset the rows belong to.");
        if (string.IsNullOrWhiteSpace(file)) throw new IngestUsageException("--file is required: give a .csv or .parquet file.");
        var size = DefaultBatchSize;
        if (batchSize is not null && (!int.TryParse(batchSize, out size) || size is < 1 or > MaxBatchSize))
        {
            throw new IngestUsageException($"--batch-size must be a whole number from 1 to {MaxBatchSize:N0}, not '{batchSize}'.");
        }
        if (idColumn is { Length: 0 }) throw new IngestUsageException("--id-column needs a column name.");
        if (errorsFile is { Length: 0 }) throw new IngestUsageException("--errors needs a file name.");
        host = string.IsNullOrWhiteSpace(host) ? DefaultHost : host;
        if (!Uri.TryCreate(host, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new IngestUsageException($"--grpc must be an http:// or https:// address such as {DefaultHost}, not '{host}'.");
        }
        return new IngestSettings(dataset, file, labels, idColumn, size, errorsFile, host);
    }
}
