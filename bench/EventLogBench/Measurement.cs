namespace Cascade.Bench.EventLog;

/// <summary>One run of one batch size, per record: CPU of the appending thread and of the process (µs), bytes allocated, and throughput.</summary>
internal readonly record struct Measurement(int Records, double ThreadMicroseconds, double ProcessMicroseconds, double AllocatedBytes, double RecordsPerSecond);
