namespace Cascade.Cli.Ingest;

/// <summary>What became of the rows of a file so far: every row read ends up accepted, duplicate or invalid.</summary>
internal sealed class IngestTally
{
    public long Read { get; set; }

    public long Accepted { get; set; }

    /// <summary>Rows whose record id the host had already ingested (or that repeat an earlier row): not appended again.</summary>
    public long Duplicates { get; set; }

    /// <summary>Rows refused by the client's checks or by the host, each reported with its line.</summary>
    public long Invalid { get; set; }

    /// <summary>Rows sent whose answer has not come yet, or that were never answered (the run failed).</summary>
    public long Unanswered => Read - Accepted - Duplicates - Invalid;
}
