namespace Cascade.Bench.Soak;

/// <summary>
/// Where this process's resident memory is, to tell a managed leak from a native one: its anonymous RSS (<c>/proc/self/status</c>;
/// the rest of RSS is mapped files), the GC's committed memory and live heap, SQLite's own allocator, and
/// the anonymous memory neither accounts for (the runtime, native libraries, thread stacks, freed-but-kept malloc arenas).
/// </summary>
/// <param name="RssAnonymous">RssAnon: heap, stacks and every private mapping.</param>
/// <param name="GcCommitted">Memory the GC has committed (the live heap, its fragmentation and free space it keeps).</param>
/// <param name="GcHeap">The managed heap after the last GC.</param>
/// <param name="Sqlite">Bytes SQLite has allocated through its allocator (page caches, statements, schema) over every connection.</param>
internal sealed record MemoryBreakdown(long RssAnonymous, long GcCommitted, long GcHeap, long Sqlite)
{
    /// <summary>Anonymous memory that is neither the GC's nor SQLite's.</summary>
    public long OtherNative => Math.Max(0, RssAnonymous - GcCommitted - Sqlite);

    /// <summary>This process now.</summary>
    public static MemoryBreakdown OfThisProcess()
    {
        long anonymous = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("RssAnon:", StringComparison.Ordinal)) anonymous = Kilobytes(line);
        }
        var gc = GC.GetGCMemoryInfo();
        // SQLite counts its allocations in every connection of the process (memstatus is on in the e_sqlite3 build).
        return new MemoryBreakdown(anonymous, gc.TotalCommittedBytes, gc.HeapSizeBytes, SQLitePCL.raw.sqlite3_memory_used());
    }

    private static long Kilobytes(string line) => long.Parse(line[(line.IndexOf(':') + 1)..].Trim().Split(' ')[0]) * 1024;
}
