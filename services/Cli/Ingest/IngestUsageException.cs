namespace Cascade.Cli.Ingest;

/// <summary>A problem the user fixes before anything is sent (a missing column, an unreadable file, a bad option): exit code 2.</summary>
internal sealed class IngestUsageException(string message) : Exception(message);
