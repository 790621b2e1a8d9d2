namespace Cascade.Cli.Ingest;

/// <summary>Exit codes of <c>cascade ingest</c> (docs/ingestion.md lists them; scripts rely on them).</summary>
internal static class IngestExitCodes
{
    /// <summary>Every row was accepted or was a duplicate.</summary>
    public const int Success = 0;

    /// <summary>Some rows were invalid (each reported); the valid ones were ingested.</summary>
    public const int InvalidRows = 1;

    /// <summary>Nothing could be done as asked: a usage error, a file that does not fit the dataset, a host that cannot be reached or failed mid-way.</summary>
    public const int Usage = 2;
}
