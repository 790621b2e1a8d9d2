using Cascade.Bench.Drift.Generators;

namespace Cascade.Bench.Drift.Streams;

/// <summary>A benchmark stream: a generator (made fresh from the seed) and where its concept changes.</summary>
/// <param name="Name">As printed: "SEA abrupt".</param>
public sealed record StreamSpec(string Name, Func<ulong, IConceptGenerator> Generator, DriftSchedule Schedule);
